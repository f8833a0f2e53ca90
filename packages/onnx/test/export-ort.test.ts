// exportOnnx against onnxruntime-node on a LeNet-shaped model (the MNIST example's, with random weights and
// BatchNorm statistics; the trained one is checked in packages/examples/test/onnx-interop.test.ts).
import { describe, it } from 'vitest';
import { noGrad, rand, randn } from '@convgrad/core';
import { BatchNorm1d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@convgrad/layers';
import { exportOnnx } from '../src/index.ts';
import { expectClose, ortRun } from './helpers.ts';

describe('exportOnnx runs in onnxruntime-node', () => {
  it('a LeNet with BatchNorm, batch 1 and 7', async () => {
    const bn = new BatchNorm1d(128);
    bn.runningMean!.data.set(randn([128], { seed: 5 }).data);
    bn.runningVar!.data.set(rand([128], { seed: 6, low: 0.2, high: 3 }).data);
    const m = new Sequential(
      new Conv2d(1, 16, 5, { seed: 1 }), new MaxPool2d(2), new ReLU(), new Conv2d(16, 32, 5, { seed: 2 }), new MaxPool2d(2), new ReLU(),
      new Flatten(), new Linear(512, 128, { seed: 3, bias: false }), bn, new ReLU(), new Linear(128, 10, { seed: 4 }),
    );
    const bytes = exportOnnx(m, rand([3, 1, 28, 28], { seed: 2 }));
    m.eval();
    for (const n of [1, 7]) {
      const x = rand([n, 1, 28, 28], { seed: 3 + n });
      expectClose(await ortRun(bytes, x), noGrad(() => m.call(x)), 1e-5, `batch ${n}`);
    }
  });
});
