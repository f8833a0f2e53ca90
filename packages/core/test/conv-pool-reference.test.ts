// The issue-11 conv, pooling, padding-mode and interpolation ops against PyTorch 1.13 (fixtures/
// torch-conv-pool.json, made by fixtures/torch-conv-pool.py): outputs and input gradients of
// sum(out · r), in float64 (1e-9) and float32 (the default kernels, wasm where they apply; 2e-4).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, conv2d, convTranspose2d, interpolate, maxPool2d, mul, pad2d, sum, tensor,
  type DType, type Tensor,
} from '../src/index.ts';
import { expectClose } from './helpers.ts';

interface Arr { shape: number[]; data: number[] }
interface Case { name: string; op: string; options: Record<string, unknown>; inputs: Record<string, Arr>; r: number[]; output: Arr; grads: Record<string, number[]> }

const fixture = JSON.parse(readFileSync(new URL('./fixtures/torch-conv-pool.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

function run(c: Case, t: Record<string, Tensor>): Tensor {
  const { kernel, outputSize, ...rest } = c.options as Record<string, never>;
  switch (c.op) {
    case 'conv2d': return conv2d(t.x, t.w, t.b, c.options);
    case 'convTranspose2d': return convTranspose2d(t.x, t.w, t.b, c.options);
    case 'padMode': return pad2d(t.x, c.options.padding as number[], c.options.mode as 'reflect');
    case 'maxPool2d': return maxPool2d(t.x, kernel, rest);
    case 'avgPool2d': return avgPool2d(t.x, kernel, rest);
    case 'adaptiveAvgPool2d': return adaptiveAvgPool2d(t.x, outputSize);
    case 'adaptiveMaxPool2d': return adaptiveMaxPool2d(t.x, outputSize);
    case 'interpolate': return interpolate(t.x, c.options);
    default: throw new Error(`unknown fixture op ${c.op}`);
  }
}

describe(`against PyTorch ${fixture.torch}`, () => {
  it('has cases for every op', () => {
    expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(['conv2d', 'convTranspose2d', 'padMode', 'maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'adaptiveMaxPool2d', 'interpolate']));
  });
  for (const [dtype, tol] of [['float64', 1e-9], ['float32', 2e-4]] as [DType, number][]) {
    it.each(fixture.cases.map((c) => [c.name, c] as const))(`${dtype}: %s`, (_, c) => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) t[k] = tensor(v.data, v.shape, { dtype, requiresGrad: true });
      const out = run(c, t);
      expect(out.shape).toEqual(c.output.shape);
      expectClose(out.data, c.output.data, tol, `${c.name}: output`);
      sum(mul(out, tensor(c.r, c.output.shape, { dtype }))).backward();
      for (const [k, g] of Object.entries(c.grads)) expectClose(t[k].grad!.data, g, tol, `${c.name}: d${k}`);
    });
  }
});
