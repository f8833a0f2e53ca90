// The platform seam: Node-only code (node:*, process, worker_threads, fetch, Workers) lives only under
// src/platform/, and the browser side of it (loaded here in Node, which has fetch and WebAssembly) fetches
// and compiles the kernels: compileStreaming when the server sends application/wasm, compile otherwise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { platform as browserPlatform } from '../src/platform/browser.ts';
import { randn } from '../src/index.ts';
import { jsBackend } from '../src/kernels/backend.ts';
import { createWasmBackend } from '../src/kernels/wasm/backend.ts';
import { loadWasmKernels, WASM_URL } from '../src/kernels/wasm/module.ts';
import { unshareMemoryImport } from '../src/kernels/wasm/unshare.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = `${dir}${f}`;
    if (statSync(p).isDirectory()) return p.endsWith('/kernels/wasm/as') || p.endsWith('/kernels/wasm/build') ? [] : sourceFiles(`${p}/`);
    return /\.(ts|mts|js|mjs)$/.test(f) ? [p] : [];
  });
}

/** What only the platform may use, with the line it is on. */
const NODE_ONLY = [/['"]node:/, /\bprocess\s*\./, /\bBuffer\s*\./, /from\s+['"]worker_threads/, /\bfetch\s*\(/, /new\s+Worker\s*\(/, /\brequire\s*\(/];

describe('the platform seam', () => {
  it('keeps node:*, process, Buffer, workers and fetch inside src/platform/', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(40);
    const offending: string[] = [];
    for (const f of files) {
      if (f.startsWith(`${SRC}platform/`)) continue;
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (NODE_ONLY.some((re) => re.test(line))) offending.push(`${f.slice(SRC.length)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offending).toEqual([]);
    // the pattern catches what it is meant to (a planted line)
    expect(NODE_ONLY.some((re) => re.test(`import { readFileSync } from 'node:fs';`))).toBe(true);
    expect(NODE_ONLY.some((re) => re.test('const t = process.env.X;'))).toBe(true);
  });

  it('reaches the platform only through #platform (node.ts and browser.ts are chosen by conditions, never imported by path)', () => {
    const importers = sourceFiles(SRC).filter((f) => !f.startsWith(`${SRC}platform/`) && /from '#platform'/.test(readFileSync(f, 'utf8')));
    expect(importers.length).toBeGreaterThan(0);
    for (const f of sourceFiles(SRC).filter((x) => !x.startsWith(`${SRC}platform/`))) {
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/platform\/(node|browser)(\.ts)?['"]/);
    }
  });

  it('has a browser side free of Node', () => {
    for (const f of ['platform/browser.ts', 'platform/worker.browser.mjs', 'kernels/wasm/worker-loop.mjs']) {
      const text = readFileSync(`${SRC}${f}`, 'utf8');
      expect(text, f).not.toMatch(/['"]node:|\bprocess\s*\.|\bBuffer\b/);
    }
    // bundlers find the worker and the wasm files only through these exact forms
    expect(readFileSync(`${SRC}platform/browser.ts`, 'utf8')).toMatch(/new Worker\(new URL\('\.\/worker\.browser\.mjs', import\.meta\.url\), \{ type: 'module' \}\)/);
    expect(readFileSync(`${SRC}kernels/wasm/module.ts`, 'utf8')).toMatch(/new URL\('\.\/build\/convgrad-relaxed\.wasm', import\.meta\.url\)/);
  });
});

describe('the browser platform (run in Node)', () => {
  const wasmBytes = readFileSync(fileURLToPath(WASM_URL));
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const mime = req.url === '/wasm/convgrad.wasm' ? 'application/wasm' : req.url === '/octet/convgrad.wasm' ? 'application/octet-stream' : null;
      if (!mime) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': mime }).end(wasmBytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('compiles with compileStreaming when the server sends application/wasm, with compile otherwise', async () => {
    const WA = WebAssembly as unknown as { compileStreaming: (...a: unknown[]) => Promise<unknown> };
    const streaming = vi.spyOn(WA, 'compileStreaming');
    try {
      const m1 = await browserPlatform.compileWasm(new URL('wasm/convgrad.wasm', base));
      expect(m1).toBeInstanceOf(WebAssembly.Module);
      expect(streaming).toHaveBeenCalledTimes(1);
      // compileStreaming would reject this response (wrong MIME type): the bytes are compiled instead
      const m2 = await browserPlatform.compileWasm(new URL('octet/convgrad.wasm', base));
      expect(m2).toBeInstanceOf(WebAssembly.Module);
      expect(streaming).toHaveBeenCalledTimes(1);
      expect(WebAssembly.Module.exports(m2 as WebAssembly.Module).map((e) => e.name)).toContain('run');
    } finally {
      streaming.mockRestore();
    }
  });

  it('names the URL and the status when the file is not there', async () => {
    await expect(browserPlatform.compileWasm(new URL('nowhere/convgrad.wasm', base))).rejects.toThrow(`HTTP 404 for ${base}nowhere/convgrad.wasm`);
  });

  it('reads no environment, loads nothing synchronously, and allows one thread without cross-origin isolation', () => {
    expect(browserPlatform.envSettings()).toEqual({});
    expect(browserPlatform.readWasmSync(WASM_URL)).toBeNull();
    expect(browserPlatform.newerSource(WASM_URL)).toBeNull();
    expect((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated).toBeUndefined();
    expect(browserPlatform.maxThreads()).toBe(1);
    // Node's main thread may block (a page's main thread may not: there the probe throws)
    expect(browserPlatform.canBlock()).toBe(true);
    expect(browserPlatform.resolveUrl('https://cdn.example.com/x/').href).toBe('https://cdn.example.com/x/');
  });
});

describe('kernels on an unshared memory (engines that make no shared memory outside cross-origin isolation)', () => {
  it('load with the memory import made unshared, run on one thread, and match the js kernels', () => {
    const file = readFileSync(fileURLToPath(WASM_URL)); // a Buffer, as Node's platform reads it
    const bytes = new Uint8Array(file);
    const memory = () => new WebAssembly.Memory({ initial: 32, maximum: 16384, shared: false });
    // the build as it is links only against a shared memory; unshared, it links against a plain one
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: memory() } })).toThrow(/shared/i);
    const patched = unshareMemoryImport(bytes) as Uint8Array<ArrayBuffer>;
    expect(patched.length).toBe(bytes.length);
    expect(patched.reduce((n, b, i) => n + (b !== bytes[i] ? 1 : 0), 0)).toBe(1);
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(patched), { env: { memory: memory() } })).not.toThrow();
    expect(() => unshareMemoryImport(patched)).toThrow('imports no shared memory');
    unshareMemoryImport(file);
    expect(file.equals(bytes)).toBe(true); // the input is left as it was

    const k = loadWasmKernels(WASM_URL, false);
    if (k === null || typeof k === 'string') throw new Error(`not loaded: ${k}`);
    expect(k.shared).toBe(false);
    expect(k.memory.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const backend = createWasmBackend(k, 3);
    expect(backend.pool.maxWorkers).toBe(0);
    const g = { n: 2, c: 8, h: 20, w: 20, o: 12, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, oh: 20, ow: 20 };
    const x = randn([2, 8, 20, 20], { seed: 5 }).data as Float32Array, w = randn([12, 8, 3, 3], { seed: 6 }).data as Float32Array;
    const ref = new Float32Array(2 * 12 * 400), got = new Float32Array(ref.length);
    jsBackend.conv2dForward(x, w, null, g, ref);
    backend.conv2dForward(x, w, null, g, got);
    expect(backend.stats.wide + backend.stats.dot).toBe(1);
    expect(Math.max(...ref.map((r, i) => Math.abs(got[i] - r)))).toBeLessThan(1e-4);
    expect(backend.pool.parallelJobs).toBe(0);
  });
});
