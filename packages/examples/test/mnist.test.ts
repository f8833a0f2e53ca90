// The MNIST example: IDX reading and validation, options, and a small real training run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { confusionMatrix, formatConfusion } from '../src/mnist/confusion.ts';
import { gatherBatch, loadMnist, MNIST_MEAN, MNIST_STD, readMnistPair, takeFirst } from '../src/mnist/data.ts';
import { encodeIdx, IdxError, parseIdx, readIdxFile } from '../src/mnist/idx.ts';
import { runMnistCli } from '../src/mnist/index.ts';
import { runMnist } from '../src/mnist/run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'convgrad-mnist-test-'));

function writeTmp(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

/** 3 images of 2×4 whose pixel p of image i is 10·i + p, labels 7, 0, 9. */
function synthetic() {
  const images = Array.from({ length: 3 * 8 }, (_, k) => 10 * Math.floor(k / 8) + (k % 8));
  return { images: encodeIdx([3, 2, 4], images), labels: encodeIdx([3], [7, 0, 9]), pixels: images };
}

describe('IDX reader', () => {
  it('reads the header, the shape and the bytes of a small file (plain and gzipped)', () => {
    const { images, pixels } = synthetic();
    expect(images.length).toBe(4 + 3 * 4 + 24);
    expect([...images.subarray(0, 4)]).toEqual([0, 0, 8, 3]); // magic 0x00000803
    for (const path of [writeTmp('img.idx', images), writeTmp('img.idx.gz', gzipSync(images))]) {
      const a = readIdxFile(path);
      expect(a.shape).toEqual([3, 2, 4]);
      expect([...a.data]).toEqual(pixels);
    }
  });

  it('pairs images with labels', () => {
    const { images, labels } = synthetic();
    const s = readMnistPair(writeTmp('p-img', images), writeTmp('p-lab', labels));
    expect([s.count, s.rows, s.cols]).toEqual([3, 2, 4]);
    expect([...s.labels]).toEqual([7, 0, 9]);
  });

  it('rejects corrupt and mismatched files with a clear error', () => {
    const { images, labels } = synthetic();
    const bad = (bytes: Uint8Array) => () => parseIdx(bytes, 'f');
    expect(bad(images.subarray(0, images.length - 1))).toThrow(/shape \[3, 2, 4\] \(24 bytes of data\) but the file holds 23 bytes.*truncated/);
    expect(bad(new Uint8Array([...images, 0]))).toThrow(/holds 25 bytes/);
    expect(bad(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(/gzipped but does not decompress/);
    expect(bad(Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 0]))).toThrow(/magic number 0x01020801, not an IDX file/);
    expect(bad(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]))).toThrow(/type 0xd, only unsigned bytes/);
    expect(bad(Uint8Array.from([0, 0, 8, 3, 0, 0]))).toThrow(/too short for a rank-3 header/);
    expect(bad(new Uint8Array(2))).toThrow(IdxError);
    expect(() => readIdxFile(join(tmp, 'missing'))).toThrow(/cannot read .*missing/);
    const img = writeTmp('m-img', images);
    expect(() => readMnistPair(img, writeTmp('m-lab2', encodeIdx([2], [1, 2])))).toThrow(/has 3 images but .* has 2 labels/);
    expect(() => readMnistPair(img, writeTmp('m-lab10', encodeIdx([3], [1, 10, 2])))).toThrow(/label 1 is 10, not a digit/);
    expect(() => readMnistPair(writeTmp('m-lab', labels), writeTmp('m-lab-b', labels))).toThrow(/should be \[count, rows, cols\]/);
    expect(() => readMnistPair(img, writeTmp('m-lab-3', labels), 60_000)).toThrow(/has 3 images, expected 60000/);
    expect(() => loadMnist('test', tmp)).toThrow(/t10k-images-idx3-ubyte not found/);
  });

  it('normalizes gathered batches in the requested order', () => {
    const { images, labels } = synthetic();
    const s = readMnistPair(writeTmp('g-img', images), writeTmp('g-lab', labels));
    const b = gatherBatch(s, [2, 0], 0, 2);
    expect([...b.y]).toEqual([9, 7]);
    expect(b.x.length).toBe(16);
    expect(b.x[0]).toBeCloseTo((20 / 255 - MNIST_MEAN) / MNIST_STD, 6);
    expect(b.x[8 + 3]).toBeCloseTo((3 / 255 - MNIST_MEAN) / MNIST_STD, 6);
  });
});

describe('the full MNIST files', () => {
  it('hold 60,000 training and the official 10,000 test images of 28×28', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    expect([train.count, test.count, test.rows, test.cols]).toEqual([60_000, 10_000, 28, 28]);
    const counts = new Array(10).fill(0);
    for (const y of test.labels) counts[y]++;
    expect(Math.min(...counts)).toBeGreaterThan(800); // every digit is present in the test set
  });
});

describe('confusion matrix', () => {
  it('counts true rows against predicted columns', () => {
    const m = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
    expect(m).toEqual([[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
    const text = formatConfusion(m);
    expect(text).toContain('66.67%'); // recall of class 2
    expect(text.split('\n')).toHaveLength(5);
  });
});

describe('options', () => {
  it('--help prints the usage and exits 0', async () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => { out.push(s); return true; }) as typeof process.stdout.write;
    try {
      expect(await runMnistCli(['--help'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/--epochs[\s\S]*--batch-size[\s\S]*--lr[\s\S]*--seed[\s\S]*--out[\s\S]*--limit[\s\S]*--test-limit/);
  });

  it.each([
    [['--epochs', '0']], [['--batch-size', 'x']], [['--lr', '-1']], [['--lr', '0']], [['--seed', '1.5']],
    [['--limit', '-3']], [['--test-limit', '20000']], [['--bogus', '1']], [['--model', 'resnet']], [['--epochs']], [['stray']],
  ])('%j is rejected with exit code 2', async (argv) => {
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => { err.push(s); return true; }) as typeof process.stderr.write;
    try {
      expect(await runMnistCli(argv)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(/^mnist: .*\n[\s\S]*usage: pnpm example mnist/);
  });
});

describe('missing data', () => {
  it('a folder without the IDX files gives a clear error and exit code 1', async () => {
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => { err.push(s); return true; }) as typeof process.stderr.write;
    try {
      expect(await runMnistCli(['--data-dir', tmp, '--out', join(tmp, 'out')])).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(/train-images-idx3-ubyte not found in .*convgrad-mnist-test/);
  });
});

describe('a small MNIST run', () => {
  it('lowers the loss and beats chance by a wide margin on held-out test images', () => {
    const data = { train: takeFirst(loadMnist('train'), 600), test: takeFirst(loadMnist('test'), 500) };
    const lines: string[] = [];
    const r = runMnist({
      epochs: 3, batchSize: 32, lr: 3e-3, seed: 7, outDir: tmp, data, progress: false, log: (l) => lines.push(l),
    });
    const first = r.epochs[0].windowLoss[0];
    const last = r.epochs.at(-1)!.windowLoss.at(-1)!;
    expect(first).toBeGreaterThan(1.2); // near chance (ln 10 ≈ 2.3) over the first tenth of the run
    expect(last).toBeLessThan(0.35 * first);
    for (let e = 1; e < r.epochs.length; e++) expect(r.epochs[e].loss).toBeLessThan(r.epochs[e - 1].loss);
    expect(r.test.count).toBe(500);
    expect(r.test.accuracy).toBeGreaterThan(0.75); // chance is 0.1
    expect(r.reloadedAccuracy).toBe(r.test.accuracy);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
    expect(lines.join('\n')).toMatch(/test accuracy: \d+\.\d\d% \(\d+\/500\)/);
  });
});
