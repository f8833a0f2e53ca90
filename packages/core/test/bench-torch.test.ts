// The conv2d bench's PyTorch anchor (packages/core/bench: torch_conv.py, torch-client.ts, torch-reply.ts,
// table.ts): its wire format, the "torch missing" path, and the table's PyTorch columns. The bench
// itself is not run here; where python3 can import torch, one small case round-trips through PyTorch
// and its gradients are compared with convgrad's.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { caseData, CASES } from '../bench/cases.ts';
import { machineLines, parseConvArgs } from '../bench/conv-bench.ts';
import { markdownTable, type Row } from '../bench/table.ts';
import { TorchConvImpl } from '../bench/torch-client.ts';
import { decodeFloat32, encodeFloat32, missingNote, parseHello, parseReply, toSample } from '../bench/torch-reply.ts';
import { conv2d, setBackend, tensor } from '../src/index.ts';

const PYTHON = '/usr/bin/python3';
const hasPython = existsSync(PYTHON);
const hasTorch = hasPython && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe('PyTorch anchor wire format', () => {
  it('parses the hello line both ways and refuses anything else', () => {
    expect(parseHello('{"hello": {"available": true, "version": "1.13.1"}}')).toEqual({ available: true, version: '1.13.1' });
    expect(parseHello('{"hello": {"available": false, "error": "ModuleNotFoundError: x"}}')).toEqual({ available: false, error: 'ModuleNotFoundError: x' });
    expect(() => parseHello('Traceback (most recent call last):')).toThrow(/pytorch hello: not a JSON line: "Traceback/);
    expect(() => parseHello('{"hello": {"available": true}}')).toThrow(/expected \{"hello"/);
    expect(() => parseHello('[1]')).toThrow(/expected a JSON object/);
  });

  it('parses replies: a result (null included), an error, and refuses a reply without id or outcome', () => {
    expect(parseReply('{"id": 3, "result": {"ms": 1.5, "cpuMs": 2}}')).toEqual({ id: 3, result: { ms: 1.5, cpuMs: 2 } });
    expect(parseReply('{"id": 4, "result": null}')).toEqual({ id: 4, result: null });
    expect(parseReply('{"id": 5, "error": "ValueError: no case set up"}')).toEqual({ id: 5, error: 'ValueError: no case set up' });
    expect(() => parseReply('{"result": 1}')).toThrow(/no numeric id/);
    expect(() => parseReply('{"id": 1}')).toThrow(/neither result nor error/);
  });

  it('accepts a timed run only as non-negative finite ms and cpuMs', () => {
    expect(toSample({ ms: 0.8, cpuMs: 1.2 })).toEqual({ ms: 0.8, cpuMs: 1.2 });
    for (const bad of [null, {}, { ms: -1, cpuMs: 0 }, { ms: 1, cpuMs: NaN }, { ms: '1', cpuMs: 1 }]) expect(() => toSample(bad)).toThrow(/expected \{ms, cpuMs\}/);
  });

  it('round-trips float32 values through base64 bit for bit, and refuses a partial float', () => {
    const v = Float32Array.from([0, -0, 1.5, -3.25e-39, 3.4028234663852886e38, Math.PI, -1e-7]);
    const back = decodeFloat32(encodeFloat32(v));
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(v.buffer));
    // little-endian, as numpy's '<f4': 1.0 is 00 00 80 3f
    expect(encodeFloat32(Float32Array.of(1))).toBe(Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'));
    expect(() => decodeFloat32(Buffer.from([1, 2, 3]).toString('base64'), 'dx')).toThrow(/dx has 3 bytes/);
  });

  it('says what is missing and that the bench goes on', () => {
    const note = missingNote('/usr/bin/python3', "ModuleNotFoundError: No module named 'torch'");
    expect(note).toMatch(/^pytorch: not available \(\/usr\/bin\/python3: ModuleNotFoundError: No module named 'torch'\); the bench goes on without it/);
    expect(note).toMatch(/apt-get install -y python3-torch/);
  });
});

describe('PyTorch columns of the conv table', () => {
  const c = CASES[2];
  const t = (ms: number) => ({ ms, reps: 5, cpuMs: ms * 1.5 });
  const rows: Row[] = [
    { c, impl: 'convgrad wasm', fwd: t(3), train: t(9) },
    { c, impl: 'tfjs-wasm', fwd: t(6), train: t(36) },
    { c, impl: 'pytorch', fwd: t(0.75), train: t(2.25) },
  ];
  const lines = markdownTable(rows, ['tfjs-wasm', 'pytorch']).split('\n');

  it('adds "vs pytorch" = PyTorch time ÷ convgrad time for convgrad rows only', () => {
    const head = lines[0].split('|').map((s) => s.trim());
    const cells = (i: number) => lines[i].split('|').map((s) => s.trim());
    const col = (name: string) => head.indexOf(name);
    expect(col('fwd vs pytorch')).toBeGreaterThan(col('fwd+bwd vs tfjs-wasm'));
    expect(cells(2)[col('fwd vs pytorch')]).toBe('0.25×');
    expect(cells(2)[col('fwd+bwd vs pytorch')]).toBe('0.25×');
    expect(cells(2)[col('fwd+bwd vs tfjs-wasm')]).toBe('4.00×');
    expect(cells(4)[col('implementation')]).toBe('pytorch');
    expect(cells(4)[col('fwd vs pytorch')]).toBe('');
    expect(cells(4)[col('fwd ms')]).toBe('0.75');
  });

  it('has no PyTorch columns when PyTorch did not run', () => {
    expect(markdownTable(rows.slice(0, 2), ['tfjs-wasm']).split('\n')[0]).not.toMatch(/pytorch/);
  });

  it('warns in the header when the machine is busy (PyTorch\'s times suffer most)', () => {
    expect(machineLines('pnpm bench', [0.4, 0.3, 0.2], 2).some((l) => l.startsWith('WARNING'))).toBe(false);
    const busy = machineLines('pnpm bench', [17.2, 12, 8], 2);
    expect(busy[2]).toMatch(/2 cores, .*load average 17\.20 12\.00 8\.00/);
    expect(busy[3]).toMatch(/^WARNING: load average 17\.2 on 2 cores: .*PyTorch's most/);
  });

  it('refuses unknown conv options', () => {
    expect(() => parseConvArgs(['--cases', 'z'])).toThrow(/unknown case 'z'/);
    expect(() => parseConvArgs(['--torch'])).toThrow(/unknown option '--torch'/);
    expect(parseConvArgs(['--', '--cases', 'b,d', '--no-tfjs-cpu']).cases.map((k) => k.id)).toEqual(['b', 'd']);
  });
});

describe('PyTorch anchor process', () => {
  it('reports an interpreter that does not start as unavailable, with a note', async () => {
    const t = new TorchConvImpl({ python: '/nonexistent/python3', threads: 2 });
    const info = await t.init();
    expect(info.available).toBe(false);
    expect(info.notes[0]).toMatch(/^pytorch: not available \(\/nonexistent\/python3: cannot start it .*ENOENT/);
    await t.terminate();
  });

  it.skipIf(!hasPython)('reports a failing `import` as unavailable (python3 -S hides the installed packages)', async () => {
    const t = new TorchConvImpl({ python: PYTHON, pythonArgs: ['-S'], threads: 2 });
    const info = await t.init();
    expect(info.available).toBe(false);
    expect(info.notes[0]).toMatch(/ModuleNotFoundError: No module named '(numpy|torch)'/);
    await t.terminate();
  });

  it.skipIf(!hasTorch)('round-trips case a through PyTorch: the same gradients as convgrad, and timed runs', async () => {
    const t = new TorchConvImpl({ python: PYTHON, threads: 2 });
    try {
      const info = await t.init();
      expect(info.available).toBe(true);
      expect(info.notes[0]).toMatch(/^PyTorch \S+ CPU: 2 thread\(s\)/);
      const c = CASES[0];
      expect(await t.setup('a')).toMatch(/F\.conv2d/);
      const g = await t.grads();
      const d = caseData(c);
      setBackend('js');
      const x = tensor(d.x, [c.n, c.cin, c.h, c.w], { requiresGrad: true });
      const w = tensor(d.w, [c.cout, c.cin, c.k, c.k], { requiresGrad: true });
      const b = tensor(d.b, [c.cout], { requiresGrad: true });
      const y = conv2d(x, w, b, { stride: c.stride, padding: c.pad });
      y.backward(tensor(d.g, [...y.shape]));
      for (const [mine, theirs] of [[x.grad!.data, g.dx], [w.grad!.data, g.dw], [b.grad!.data, g.db]] as const) {
        expect(theirs.length).toBe(mine.length);
        let err = 0, scale = 0;
        for (let i = 0; i < mine.length; i++) {
          err = Math.max(err, Math.abs(mine[i] - theirs[i]));
          scale = Math.max(scale, Math.abs(mine[i]));
        }
        expect(err / scale).toBeLessThan(1e-5);
      }
      const s = await t.run('train');
      expect(s.ms).toBeGreaterThan(0);
      await t.dispose();
      await expect(t.run('forward')).rejects.toThrow(/pytorch: ValueError: torch_conv: no case set up/);
    } finally {
      await t.terminate();
    }
  });
});
