// The settings API (configure/getConfig), the environment variables that fill it in Node, ready() and
// runtimeInfo(), and that each setting takes effect: backend, threads (workers used or not), relaxed SIMD
// and wasmPaths (reloads, synchronous from files, asynchronous over HTTP with ready() waiting).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { configure, conv2d, ConvgradError, getBackend, getConfig, randn, ready, runtimeInfo, type ConvgradSettings } from '../src/index.ts';
import { jsBackend, registerBackend, setBackend } from '../src/kernels/backend.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { WASM_RELAXED_URL, WASM_URL } from '../src/kernels/wasm/module.ts';
import { defaultSettings, settingsFromEnv, validateSettings } from '../src/settings.ts';

const initial = getConfig();
const initialBackend = getBackend().name;
afterEach(() => {
  configure({ ...initial });
  expect(getConfig()).toEqual(initial);
});

/** conv2d big enough (≈5 MFLOP) to be shared with workers; returns its output values. */
const bigConv = (seed = 1) => conv2d(randn([8, 8, 24, 24], { seed }), randn([8, 8, 3, 3], { seed: seed + 1 }), null, { padding: 1 }).data as Float32Array;

function expectRefused(changes: unknown, message: string | RegExp): void {
  let err: unknown;
  try {
    configure(changes as Partial<ConvgradSettings>);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConvgradError);
  expect((err as Error).message).toMatch(/^configure: /);
  expect((err as Error).message).toMatch(message);
}

describe('configure / getConfig', () => {
  it('starts from the defaults and the environment', () => {
    const env = settingsFromEnv({ backend: process.env.CONVGRAD_BACKEND, threads: process.env.CONVGRAD_THREADS, relaxedSimd: process.env.CONVGRAD_RELAXED_SIMD });
    expect(initial).toEqual({ ...defaultSettings(), ...env.settings });
    expect(defaultSettings()).toMatchObject({ backend: 'wasm', relaxedSimd: true, wasmPaths: null });
    expect(defaultSettings().threads).toBeGreaterThanOrEqual(1);
    expect(Object.isFrozen(getConfig())).toBe(true);
  });

  it('refuses unknown keys and bad values, naming the setting and the value, and changes nothing then', () => {
    const before = getConfig();
    expectRefused({ thread: 2 }, `unknown setting 'thread' (known: backend, threads, relaxedSimd, wasmPaths)`);
    expectRefused({ backend: 'cuda' }, `backend must be 'js' or 'wasm', got 'cuda'`);
    expectRefused({ threads: 0 }, 'threads must be an integer from 1 to 64, got 0');
    expectRefused({ threads: 2.5 }, 'got 2.5');
    expectRefused({ threads: '4' }, `got '4'`);
    expectRefused({ threads: 65 }, 'got 65');
    expectRefused({ threads: Number.NaN }, 'got NaN');
    expectRefused({ relaxedSimd: 'yes' }, `relaxedSimd must be true or false, got 'yes'`);
    expectRefused({ wasmPaths: '' }, `wasmPaths must be null, a non-empty URL string`);
    expectRefused({ wasmPaths: 3 }, 'got 3');
    expectRefused({ wasmPaths: { 'other.wasm': 'x' } }, `wasmPaths: unknown file 'other.wasm'`);
    expectRefused({ wasmPaths: { 'convgrad.wasm': 7 } }, `wasmPaths['convgrad.wasm'] must be a non-empty URL string, got 7`);
    expectRefused(null, 'expects an object of settings, got null');
    expectRefused([], 'expects an object of settings');
    // one bad key spoils the whole call: the good one is not applied either
    expectRefused({ threads: 1, backend: 'gpu' }, 'backend');
    expect(getConfig()).toBe(before);
  });

  it('returns the settings in force; undefined restores a default', () => {
    expect(configure({ threads: 3 }).threads).toBe(3);
    expect(getConfig().threads).toBe(3);
    expect(configure({ threads: undefined }).threads).toBe(defaultSettings().threads);
    expect(validateSettings({ wasmPaths: { 'convgrad.wasm': 'https://cdn.example.com/a.wasm' } })).toEqual({ wasmPaths: { 'convgrad.wasm': 'https://cdn.example.com/a.wasm' } });
  });
});

describe('the environment variables (Node-only shortcuts)', () => {
  it('fill the settings, and a bad value is warned about and ignored', () => {
    expect(settingsFromEnv({ backend: 'js', threads: '3', relaxedSimd: '0' })).toEqual({ settings: { backend: 'js', threads: 3, relaxedSimd: false }, warnings: [] });
    expect(settingsFromEnv({ backend: '', threads: '', relaxedSimd: '' })).toEqual({ settings: {}, warnings: [] });
    expect(settingsFromEnv({ relaxedSimd: 'true' }).settings).toEqual({ relaxedSimd: true });
    const bad = settingsFromEnv({ backend: 'gpu', threads: '2x', relaxedSimd: 'maybe' });
    expect(bad.settings).toEqual({});
    expect(bad.warnings).toEqual([
      `convgrad: CONVGRAD_BACKEND='gpu' is not 'js' or 'wasm'; ignoring it`,
      `convgrad: CONVGRAD_THREADS='2x' is not an integer from 1 to 64; ignoring it`,
      `convgrad: CONVGRAD_RELAXED_SIMD='maybe' is not 0, 1, true or false; ignoring it`,
    ]);
    expect(settingsFromEnv({ threads: '0' }).warnings).toHaveLength(1);
  });
});

describe('ready() and runtimeInfo() in Node', () => {
  it('resolves at once: the kernels loaded at import', async () => {
    const info = await ready();
    expect(wasmBackend).not.toBeNull();
    expect(info).toEqual(runtimeInfo());
    expect(info.wasm).toBe('ready');
    expect(info.reason).toBeNull();
    expect(info.backend).toBe(initialBackend);
    expect(info.backend).toBe(initial.backend);
    expect(info.variant).toBe(initial.relaxedSimd ? 'relaxed-simd' : 'simd');
    expect(info.threads).toBe(initial.threads);
  });
});

describe('each setting takes effect', () => {
  it('backend switches the kernels the ops call', () => {
    configure({ backend: 'js' });
    expect(getBackend().name).toBe('js');
    const js = bigConv();
    configure({ backend: 'wasm' });
    expect(getBackend()).toBe(wasmBackend);
    const wasm = bigConv();
    expect(Math.max(...js.map((v, i) => Math.abs(v - wasm[i])))).toBeLessThan(1e-4);
  });

  it('threads: 1 uses no worker; 3 uses workers; lowering it keeps the others out of later jobs', async () => {
    const pool = wasmBackend!.pool;
    pool.adaptive = false; // every job is offered, however busy the machine
    onTestFinished(() => void (pool.adaptive = true));
    configure({ backend: 'wasm', threads: 1 });
    expect(runtimeInfo().threads).toBe(1);
    const jobs = pool.parallelJobs, chunks = pool.workerChunks();
    for (let i = 0; i < 5; i++) bigConv(i);
    expect(pool.parallelJobs).toBe(jobs);
    expect(pool.workerChunks()).toEqual(chunks);

    configure({ threads: 3 });
    expect(runtimeInfo().threads).toBe(3);
    expect(await pool.warm()).toBe(2);
    expect(runtimeInfo().workersStarted).toBeGreaterThanOrEqual(2);
    // every job is offered to both workers; on a busy machine one may miss some, so give them a few
    for (let i = 0; i < 400 && runtimeInfo().workersUsed < 2; i++) bigConv(i);
    expect(runtimeInfo().workersUsed).toBe(2);
    expect(pool.parallelJobs).toBeGreaterThan(jobs);

    configure({ threads: 2 });
    const second = pool.workerChunks()[1];
    const before = pool.parallelJobs;
    for (let i = 0; i < 20; i++) bigConv(i);
    expect(pool.parallelJobs).toBeGreaterThan(before);
    expect(pool.workerChunks()[1]).toBe(second); // worker 2 sits the jobs out
  });

  it('relaxedSimd reloads the kernels (synchronously in Node) with the other build', () => {
    const first = wasmBackend!;
    configure({ backend: 'wasm', relaxedSimd: !initial.relaxedSimd });
    expect(wasmBackend).not.toBe(first);
    expect(getBackend()).toBe(wasmBackend);
    expect(runtimeInfo().variant).toBe(initial.relaxedSimd ? 'simd' : 'relaxed-simd');
    expect(bigConv().length).toBe(8 * 8 * 24 * 24);
    configure({ relaxedSimd: initial.relaxedSimd });
    expect(runtimeInfo().variant).toBe(initial.relaxedSimd ? 'relaxed-simd' : 'simd');
  });

  it('wasmPaths loads the builds from another folder, and refuses one without them (keeping the kernels)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convgrad-wasm-'));
    try {
      copyFileSync(fileURLToPath(WASM_URL), join(dir, 'convgrad.wasm'));
      configure({ backend: 'wasm', relaxedSimd: true, wasmPaths: dir }); // no relaxed build there: the plain one
      expect(runtimeInfo()).toMatchObject({ wasm: 'ready', variant: 'simd', reason: null });
      copyFileSync(fileURLToPath(WASM_RELAXED_URL), join(dir, 'convgrad-relaxed.wasm'));
      configure({ wasmPaths: `${dir}/` });
      expect(runtimeInfo().variant).toBe('relaxed-simd');
      const kept = wasmBackend;
      expectRefused({ wasmPaths: join(dir, 'nothing-here') }, /cannot load the wasm kernels for the new wasmPaths: .*nothing-here\/convgrad-relaxed\.wasm is missing/);
      expect(wasmBackend).toBe(kept);
      expect(getConfig().wasmPaths).toBe(`${dir}/`);
      expectRefused({ wasmPaths: 'http://[::1/' }, /wasmPaths "http:\/\/\[::1\/" does not resolve to URLs/);
      expect(wasmBackend).toBe(kept);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('asynchronous loading (wasmPaths over HTTP: the browser path, run in Node)', () => {
  let server: Server;
  let base = '';
  let hits: string[] = [];
  const files: Record<string, Buffer> = {
    '/k/convgrad.wasm': readFileSync(fileURLToPath(WASM_URL)),
    '/k/convgrad-relaxed.wasm': readFileSync(fileURLToPath(WASM_RELAXED_URL)),
  };
  const serve = () => new Promise<void>((resolve) => {
    server = createServer((req, res) => {
      hits.push(req.url!);
      const body = files[req.url!];
      if (body) res.writeHead(200, { 'content-type': 'application/wasm' }).end(body);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      resolve();
    });
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('keeps the running kernels until the new ones are in; ready() waits for them', async () => {
    await serve();
    const old = wasmBackend;
    hits = [];
    configure({ backend: 'wasm', relaxedSimd: false, wasmPaths: `${base}k/` });
    expect(runtimeInfo().wasm).toBe('loading');
    expect(wasmBackend).toBe(old); // ops run meanwhile, on the kernels loaded before
    expect(bigConv().length).toBe(8 * 8 * 24 * 24);
    const info = await ready();
    expect(info).toMatchObject({ wasm: 'ready', backend: 'wasm', variant: 'simd', reason: null });
    expect(wasmBackend).not.toBe(old);
    expect(hits).toEqual(['/k/convgrad.wasm']);
  });

  it('a configure() before the load starts supersedes it: nothing is fetched for the old settings', async () => {
    hits = [];
    configure({ relaxedSimd: false, wasmPaths: `${base}k/` });
    configure({ relaxedSimd: true }); // same task: the first load never starts
    const info = await ready();
    expect(info.variant).toBe('relaxed-simd');
    expect(hits).toEqual(['/k/convgrad-relaxed.wasm']);
  });

  it('never replaces a backend picked with setBackend while the kernels loaded', async () => {
    const custom = { ...jsBackend, name: 'custom-test' };
    registerBackend(custom);
    configure({ backend: 'wasm', relaxedSimd: false, wasmPaths: `${base}k/` });
    setBackend('custom-test');
    const info = await ready();
    expect(info.wasm).toBe('ready');
    expect(getBackend()).toBe(custom);
    setBackend('wasm');
    expect(getBackend()).toBe(wasmBackend);
  });

  it('a failed load keeps the kernels that ran and says why', async () => {
    const old = wasmBackend;
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (m: string) => warnings.push(m);
    try {
      configure({ wasmPaths: `${base}missing/` });
      const info = await ready();
      expect(info.wasm).toBe('ready');
      expect(info.reason).toMatch(`HTTP 404 for ${base}missing/convgrad`);
      expect(wasmBackend).toBe(old);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/cannot reload the wasm kernels, keeping the ones loaded before/);
    } finally {
      console.warn = warn;
    }
  });
});
