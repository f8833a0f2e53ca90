// ONNX and PyTorch interop on the example's networks: PyTorch 1.13's files for the MNIST LeNet
// (test/fixtures/torch-lenet, copied from shared/fixtures: model.onnx, state_dict.safetensors, batch.safetensors), re-export to
// onnxruntime-node, fine-tuning of the imported model, and the chapter's single-conv network.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { noGrad, rand, softmaxCrossEntropy, Tensor } from '@convgrad/core';
import { Adam, Conv2d, decodeSafetensors, loadCheckpoint, Sequential } from '@convgrad/layers';
import { exportOnnx, importOnnx, saveOnnx } from '@convgrad/onnx';
import { runEdgeKernel } from '../src/edge-kernel/experiment.ts';
import { loadMnist, takeFirst } from '../src/mnist/data.ts';
import { buildLeNet, LENET_SPEC } from '../src/mnist/model.ts';
import { writeAndCheckOnnx } from '../src/mnist/onnx-check.ts';
import { maxRelError } from '../src/shared/onnx-runtime.ts';
import { ortRun } from '../../onnx/test/helpers.ts'; // in-process onnxruntime-node (the example itself uses a child process)

const tmp = mkdtempSync(join(tmpdir(), 'convgrad-onnx-interop-'));

/** PyTorch 1.13's files (a copy of shared/fixtures/torch-lenet, so a fresh clone runs this test on its own; see its README). */
const dir = fileURLToPath(new URL('./fixtures/torch-lenet/', import.meta.url));
const batch = decodeSafetensors(readFileSync(join(dir, 'batch.safetensors'))).tensors;
const x = batch.get('x')!, labels = Array.from(batch.get('labels')!.data), torchLogits = batch.get('logits')!;
const RTOL = 1e-5;

/** MNIST images scaled to [0, 1] as the fixture's model was trained (no normalization), with labels. */
function mnistBatch(start: number, n: number): { x: Tensor; y: number[] } {
  const s = takeFirst(loadMnist('train'), start + n);
  const px = 28 * 28;
  const data = Float32Array.from(s.images.subarray(start * px, (start + n) * px), (v) => v / 255);
  return { x: new Tensor(data, [n, 1, 28, 28]), y: Array.from(s.labels.subarray(start, start + n)) };
}

describe('PyTorch 1.13 files of the MNIST LeNet', () => {
  it('the fixture is what its README says: 32 images, int64 labels, logits that classify them', () => {
    expect([...x.shape]).toEqual([32, 1, 28, 28]);
    expect([...torchLogits.shape]).toEqual([32, 10]);
    const argmax = (r: number) => Array.from(torchLogits.data.subarray(r * 10, r * 10 + 10)).reduce((b, v, i, a) => (v > a[b] ? i : b), 0);
    expect(labels.filter((l, r) => argmax(r) === l).length).toBeGreaterThanOrEqual(30);
  });

  it('importOnnx(model.onnx) reproduces PyTorch\'s logits, with PyTorch\'s parameter names', () => {
    const m = importOnnx(readFileSync(join(dir, 'model.onnx')));
    expect(m.opTypes).toEqual(['Conv', 'MaxPool', 'Relu', 'Conv', 'MaxPool', 'Relu', 'Flatten', 'MatMul', 'BatchNormalization', 'Relu', 'Gemm']);
    // Linear(bias=False) came as MatMul with the transposed initializer 'onnx::MatMul_25': it is 7.weight again, [out, in].
    expect(m.namedParameters().map(([k, p]) => `${k} [${p.shape.join(', ')}]`)).toEqual([
      '0.weight [16, 1, 5, 5]', '0.bias [16]', '3.weight [32, 16, 5, 5]', '3.bias [32]', '7.weight [128, 512]', '8.weight [128]', '8.bias [128]', '10.weight [10, 128]', '10.bias [10]',
    ]);
    const y = noGrad(() => m.call(x));
    expect(maxRelError(y, torchLogits)).toBeLessThanOrEqual(RTOL);
    // the state dict keys are PyTorch's: the PyTorch state dict loads into the imported model as it is
    const sd = decodeSafetensors(readFileSync(join(dir, 'state_dict.safetensors'))).tensors;
    expect([...m.stateDict().keys()].sort()).toEqual([...sd.keys()].sort());
  });

  it('state_dict.safetensors (with the int64 num_batches_tracked) loads into the example\'s LeNet and reproduces the logits', async () => {
    const lenet = buildLeNet(LENET_SPEC, 5);
    const { missingKeys, unexpectedKeys } = loadCheckpoint(join(dir, 'state_dict.safetensors'), lenet);
    expect([missingKeys, unexpectedKeys]).toEqual([[], []]);
    const bn = lenet.at(8) as unknown as { numBatchesTracked: number };
    expect(bn.numBatchesTracked).toBe(938); // one epoch of 60,000 images in batches of 64
    lenet.eval();
    expect(maxRelError(noGrad(() => lenet.call(x)), torchLogits)).toBeLessThanOrEqual(RTOL);
    // and that trained LeNet, exported by convgrad, runs in onnxruntime-node to the same outputs (batch 32 and 1)
    const path = join(tmp, 'lenet.onnx');
    saveOnnx(path, lenet, x);
    expect(maxRelError(await ortRun(readFileSync(path), x), torchLogits)).toBeLessThanOrEqual(RTOL);
    const one = new Tensor(x.data.slice(0, 784), [1, 1, 28, 28]);
    expect(maxRelError(await ortRun(readFileSync(path), one), noGrad(() => lenet.call(one)))).toBeLessThanOrEqual(RTOL);
  });

  it('the imported model, re-exported, runs in onnxruntime-node to the same outputs', async () => {
    const m = importOnnx(readFileSync(join(dir, 'model.onnx')));
    const path = join(tmp, 'reexported.onnx');
    saveOnnx(path, m, x, { inputName: 'x', outputName: 'logits' });
    expect(maxRelError(await ortRun(readFileSync(path), x, 'x'), torchLogits)).toBeLessThanOrEqual(RTOL);
    expect(maxRelError(await ortRun(readFileSync(path), x, 'x'), noGrad(() => m.call(x)))).toBeLessThanOrEqual(RTOL);
    // and PyTorch's own file gives onnxruntime the same logits (the reference is consistent)
    expect(maxRelError(await ortRun(readFileSync(join(dir, 'model.onnx')), x, 'x'), torchLogits)).toBeLessThanOrEqual(RTOL);
  });

  it('the imported model fine-tunes: the loss on MNIST images goes down', () => {
    const m = importOnnx(readFileSync(join(dir, 'model.onnx')));
    m.train();
    const opt = new Adam(m.parameters(), { lr: 1e-3 });
    const data = mnistBatch(0, 64);
    const lossOf = () => noGrad(() => {
      m.eval();
      const l = softmaxCrossEntropy(m.call(data.x), data.y).item();
      m.train();
      return l;
    });
    const before = lossOf();
    for (let step = 0; step < 8; step++) {
      opt.zeroGrad();
      const loss = softmaxCrossEntropy(m.call(data.x), data.y);
      loss.backward();
      opt.step();
    }
    const after = lossOf();
    expect(after).toBeLessThan(before * 0.8);
    const bn = m.namedModules().find(([k]) => k === '8')![1] as unknown as { numBatchesTracked: number };
    expect(bn.numBatchesTracked).toBe(8); // BatchNorm ran in training mode on the batch statistics
  });
});

describe('exported convgrad networks in onnxruntime-node', () => {
  it('the MNIST example writes model.onnx and onnxruntime-node agrees on test images', () => {
    const lenet = buildLeNet(LENET_SPEC, 5);
    loadCheckpoint(join(dir, 'state_dict.safetensors'), lenet); // a trained checkpoint
    const check = writeAndCheckOnnx(lenet, takeFirst(loadMnist('test'), 40), tmp);
    expect(check.path).toBe(join(tmp, 'model.onnx'));
    expect(check.maxRelError).toBeLessThanOrEqual(RTOL);
  });

  it('the chapter\'s network: one 3×3 conv learned from the edge image', async () => {
    const r = runEdgeKernel({ seed: 0, lr: 0.5, maxIter: 300, tol: 1e-7, size: 24 });
    const net = new Sequential(new Conv2d(1, 1, 3, { bias: false }));
    net.loadStateDict(new Map([['0.weight', r.fit.w.detach()]]));
    const bytes = exportOnnx(net, r.x);
    const path = join(tmp, 'chapter.onnx');
    saveOnnx(path, net, r.x);
    expect(Array.from(readFileSync(path))).toEqual(Array.from(bytes));
    expect(maxRelError(await ortRun(readFileSync(path), r.x), noGrad(() => net.call(r.x)))).toBeLessThanOrEqual(RTOL);
    const seven = rand([7, 1, 24, 24], { seed: 4 });
    expect(maxRelError(await ortRun(readFileSync(path), seven), noGrad(() => net.call(seven)))).toBeLessThanOrEqual(RTOL);
  });
});
