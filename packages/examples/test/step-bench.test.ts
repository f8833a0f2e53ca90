// `pnpm bench`'s command line and the MNIST whole-step bench (packages/examples/bench): the result
// checks, the per-epoch extrapolation, the table, the "torch missing" path, and tiny real runs (convgrad
// always, in this process and in one of its own; PyTorch where python3 imports torch). The bench itself is
// not run here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../bench/bench-args.ts';
import { timeConvgradStepsInProcess } from '../bench/convgrad-step-process.ts';
import { convgradParameterCount, STEP_DEFAULTS, timeConvgradSteps } from '../bench/mnist-step.ts';
import { epochSeconds, stepTable, toStepTiming, type StepRow, type StepTiming } from '../bench/step-report.ts';
import { TorchStep } from '../bench/torch-step.ts';
import { defaultMnistDir, loadMnist, takeFirst } from '../src/mnist/data.ts';
import { encodeIdx } from '../src/mnist/idx.ts';

const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const timing = (images: number, seconds: number): StepTiming => ({ images, seconds, cpuSeconds: 1.5 * seconds, loss: 0.25, accuracy: 0.9 });

describe('step bench results and table', () => {
  it('checks every field of a run result', () => {
    expect(toStepTiming({ images: 640, seconds: 2, cpuSeconds: 3, loss: 0.5, accuracy: 0.8 }, 'pytorch')).toEqual({ images: 640, seconds: 2, cpuSeconds: 3, loss: 0.5, accuracy: 0.8 });
    expect(() => toStepTiming({ images: 640, seconds: 2, cpuSeconds: 3, loss: 0.5 }, 'pytorch')).toThrow(/pytorch: step result field 'accuracy'/);
    expect(() => toStepTiming({ images: 640, seconds: -2, cpuSeconds: 3, loss: 0.5, accuracy: 1 }, 'pytorch')).toThrow(/field 'seconds'/);
    expect(() => toStepTiming({ images: 0, seconds: 2, cpuSeconds: 3, loss: 0.5, accuracy: 1 }, 'pytorch')).toThrow(/timed 0 images/);
    expect(() => toStepTiming(null, 'pytorch')).toThrow(/field 'images'/);
  });

  it('extrapolates to an epoch of 60,000 images', () => {
    expect(epochSeconds(timing(12_000, 3))).toBe(15);
    expect(epochSeconds(timing(60_000, 11.3))).toBeCloseTo(11.3, 12);
  });

  it('gives the median seconds per epoch, each round, and "vs pytorch" = PyTorch ÷ convgrad', () => {
    const rows: StepRow[] = [
      { impl: 'convgrad wasm', threads: 2, runs: [timing(12_000, 2), timing(12_000, 1.6), timing(12_000, 4)] }, // 10, 8, 20 s/epoch
      { impl: 'pytorch', threads: 2, runs: [timing(12_000, 2.4), timing(12_000, 2.2), timing(12_000, 2.3)] }, // 12, 11, 11.5
    ];
    const [head, , cg, pt] = stepTable(rows, ['pytorch']).split('\n').map((l) => l.split('|').map((s) => s.trim()));
    const col = (name: string) => head.indexOf(name);
    expect(cg[col('s per epoch (median)')]).toBe('10.0');
    expect(cg[col('each round')]).toBe('10.0, 8.0, 20.0');
    expect(cg[col('CPU s per epoch')]).toBe('15.0');
    expect(cg[col('images/s')]).toBe('6000');
    expect(cg[col('vs pytorch')]).toBe('1.15×');
    expect(pt[col('s per epoch (median)')]).toBe('11.5');
    expect(pt[col('vs pytorch')]).toBe('');
  });

  it('has no PyTorch column when PyTorch did not run', () => {
    const table = stepTable([{ impl: 'convgrad wasm', threads: 2, runs: [timing(640, 1)] }], ['pytorch']);
    expect(table.split('\n')[0]).not.toMatch(/vs pytorch/);
    expect(table.split('\n')).toHaveLength(3);
  });
});

describe('pnpm bench options', () => {
  it('runs both parts with PyTorch by default, and the example\'s step settings', () => {
    const a = parseBenchArgs([], {});
    expect(a.parts).toEqual(['conv', 'step']);
    expect(a.torch).not.toBeNull();
    expect(a.md).toBeNull();
    expect(a.step).toMatchObject({ images: 12_000, batchSize: 64, lr: 2e-3, rounds: 1 });
    expect(a.conv.cases.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('selects a part, the interpreter, the step size; conv options pass through', () => {
    const a = parseBenchArgs(['--', '--only', 'step', '--step-images', '60000', '--step-rounds', '3', '--python', '/opt/py', '--cases', 'c', '--md', 'R.md'], {});
    expect(a.parts).toEqual(['step']);
    expect(a.step.images).toBe(60_000);
    expect(a.step.rounds).toBe(3);
    expect(a.torch).toEqual({ python: '/opt/py' });
    expect(a.conv.cases.map((c) => c.id)).toEqual(['c']);
    expect(a.md).toBe('R.md');
    expect(parseBenchArgs(['--no-torch'], {}).torch).toBeNull();
    expect(parseBenchArgs([], { CONVGRAD_PYTHON: '/env/py' }).torch).toEqual({ python: '/env/py' });
  });

  it('refuses bad values, naming them', () => {
    expect(() => parseBenchArgs(['--only', 'tfjs'], {})).toThrow(/--only takes 'conv' or 'step', got 'tfjs'/);
    expect(() => parseBenchArgs(['--step-images', '0'], {})).toThrow(/--step-images must be an integer in \[1, 60000\], got '0'/);
    expect(() => parseBenchArgs(['--step-warmup', '1.5'], {})).toThrow(/--step-warmup/);
    expect(() => parseBenchArgs(['--step-rounds'], {})).toThrow(/--step-rounds needs a value/);
    expect(() => parseBenchArgs(['--steps', '3'], {})).toThrow(/unknown option '--steps'/);
  });
});

describe('step runs', () => {
  const train = takeFirst(loadMnist('train'), 256);
  const tiny = { ...STEP_DEFAULTS, images: 128, warmup: 64 };

  it('times the example\'s LeNet on convgrad', () => {
    const t = timeConvgradSteps(train, tiny);
    expect(t.images).toBe(128);
    expect(t.seconds).toBeGreaterThan(0);
    expect(Number.isFinite(t.loss) && t.loss > 0).toBe(true);
    expect(t.accuracy).toBeGreaterThanOrEqual(0);
    expect(() => timeConvgradSteps(train, { ...tiny, images: 257 })).toThrow(/images 257 is not an integer in \[0, 256\]/);
  });

  it('times a run in a node process of its own (as the bench does): the same training as in this process', async () => {
    const here = timeConvgradSteps(loadMnist('train'), tiny);
    const there = await timeConvgradStepsInProcess(tiny, defaultMnistDir());
    expect(there.images).toBe(128);
    expect(there.seconds).toBeGreaterThan(0);
    expect(there.loss).toBe(here.loss);
    expect(there.accuracy).toBe(here.accuracy);
    await expect(timeConvgradStepsInProcess({ ...tiny, images: 1e9 }, defaultMnistDir())).rejects.toThrow(/convgrad step process failed .*images 1000000000 is not an integer/);
  }, 60_000);

  it('reports PyTorch as unavailable when the interpreter does not start', async () => {
    const t = new TorchStep({ python: '/nonexistent/python3', threads: 2 });
    const info = await t.init('/nowhere');
    expect(info.available).toBe(false);
    expect(info.notes[0]).toMatch(/^pytorch: not available \(\/nonexistent\/python3: cannot start it/);
    await t.terminate();
  });

  it.skipIf(!hasTorch)('times the same network in PyTorch from IDX files (one of them gzipped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convgrad-step-bench-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx([train.count, 28, 28], train.images));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([train.count], train.labels)));
    const t = new TorchStep({ python: PYTHON, threads: 1 }); // one thread: a test, not a measurement
    try {
      const info = await t.init(dir);
      expect(info.available).toBe(true);
      expect(info.notes[0]).toMatch(/1 thread\(s\).*; 256 training images$/);
      expect(info.parameters).toBe(convgradParameterCount());
      const r = await t.run(tiny);
      expect(r.images).toBe(128);
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.loss).toBeGreaterThan(0);
    } finally {
      await t.terminate();
    }
  });
});
