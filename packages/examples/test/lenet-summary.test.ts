// summary() on the MNIST example's LeNet: exact output shapes, parameter counts and multiply-adds.
import { describe, expect, it } from 'vitest';
import { summarize, summary } from '@convgrad/layers';
import { buildLeNet, forwardMacs, LENET_SPEC } from '../src/mnist/model.ts';

describe('summary of the mnist LeNet (c1 16, c2 32, hidden 128, BatchNorm on the hidden layer)', () => {
  const model = buildLeNet(LENET_SPEC, 0);

  it('lists every layer with its output shape, own parameters and multiply-adds', () => {
    const s = summarize(model, [1, 1, 28, 28]);
    expect(s.rows.map((r) => [r.name, r.type, r.outputShape, r.params, r.multAdds])).toEqual([
      ['0', 'Conv2d', [1, 16, 24, 24], 16 * 25 + 16, 16 * 24 * 24 * 1 * 5 * 5], // 416, 230,400
      ['1', 'MaxPool2d', [1, 16, 12, 12], 0, 0],
      ['2', 'ReLU', [1, 16, 12, 12], 0, 0],
      ['3', 'Conv2d', [1, 32, 8, 8], 32 * 16 * 25 + 32, 32 * 8 * 8 * 16 * 5 * 5], // 12,832, 819,200
      ['4', 'MaxPool2d', [1, 32, 4, 4], 0, 0],
      ['5', 'ReLU', [1, 32, 4, 4], 0, 0],
      ['6', 'Flatten', [1, 512], 0, 0],
      ['7', 'Linear', [1, 128], 512 * 128, 512 * 128], // no bias (BatchNorm follows)
      ['8', 'BatchNorm1d', [1, 128], 2 * 128, 0],
      ['9', 'ReLU', [1, 128], 0, 0],
      ['10', 'Linear', [1, 10], 128 * 10 + 10, 128 * 10],
    ]);
    expect(s.totalParams).toBe(80_330);
    expect(s.totalParams).toBe(model.numParameters());
    expect(s.trainableParams).toBe(80_330);
    expect(s.totalMultAdds).toBe(1_116_416);
    expect(s.totalMultAdds).toBe(forwardMacs(LENET_SPEC));
  });

  it('counts multiply-adds for the whole batch and prints the totals', () => {
    expect(summarize(model, [3, 1, 28, 28]).totalMultAdds).toBe(3 * 1_116_416);
    const text = summary(model, [1, 1, 28, 28]);
    expect(text).toMatch(/^Sequential: input \[1, 1, 28, 28\]/);
    expect(text).toMatch(/^3 \(Conv2d\) +\[1, 32, 8, 8\] +12,832 +819,200$/m);
    expect(text).toContain('Total params: 80,330');
    expect(text).toContain('Total mult-adds: 1,116,416 (1.12 M)');
  });
});
