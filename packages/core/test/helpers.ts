// Shared helpers for the core tests: seeded property runs, gradcheck assertions, conv cases as tensors.
import fc from 'fast-check';
import { expect } from 'vitest';
import { Tensor, tensor, type DType } from '../src/index.ts';
import { makeTensor, type ConvCase, type GradcheckReport, type TensorSpec } from '../src/testing/index.ts';

/**
 * Runs a fast-check property with the globally seeded configuration (vitest.setup.ts).
 * On failure fast-check prints the seed, the path and the shrunk counterexample (a shape/config + seed).
 */
export function checkProperty<T>(arb: fc.Arbitrary<T>, body: (value: T) => void, numRuns?: number): void {
  fc.assert(fc.property(arb, body), numRuns === undefined ? {} : { numRuns });
}

/** Asserts a gradcheck / gradgradcheck report passed; the failure message is the report's own. */
export function expectGradOk(report: GradcheckReport): void {
  expect(report.ok, report.message).toBe(true);
  expect(report.checked, 'gradcheck checked no element').toBeGreaterThan(0);
}

/** A float64 leaf whose values are at least 0.5 away from zero (for divisors). */
export function awayFromZero(spec: TensorSpec): Tensor {
  const t = makeTensor(spec, { requiresGrad: false });
  const data = t.data.map((v) => (v >= 0 ? v + 0.5 : v - 0.5));
  return new Tensor(data, t.shape, true);
}

/** The tensors of a conv case: x [N, Cin, H, W], w [Cout, Cin, KH, KW], b [Cout] (or null). */
export function convTensors(c: ConvCase, dtype: DType = 'float64', requiresGrad = true): { x: Tensor; w: Tensor; b: Tensor | null } {
  const opts = { dtype, requiresGrad };
  return {
    x: makeTensor({ shape: [c.n, c.cin, c.h, c.w], seed: c.seed }, opts),
    w: makeTensor({ shape: [c.cout, c.cin, c.kh, c.kw], seed: c.seed + 1 }, { ...opts, scale: 0.5 }),
    b: c.bias ? makeTensor({ shape: [c.cout], seed: c.seed + 2 }, opts) : null,
  };
}

export function convOptions(c: ConvCase) {
  return { stride: c.stride, padding: c.padding, dilation: c.dilation };
}

/** numpy broadcasting of two shapes, written here independently of the library. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const pa = [...Array(n - a.length).fill(1), ...a];
  const pb = [...Array(n - b.length).fill(1), ...b];
  return pa.map((d, i) => Math.max(d, pb[i]));
}

/** A 2-D float64 tensor from rows (shape [1, 1, H, W] when as4d). */
export function mat(rows: number[][], options: { as4d?: boolean; requiresGrad?: boolean } = {}): Tensor {
  const shape = options.as4d ? [1, 1, rows.length, rows[0].length] : [rows.length, rows[0].length];
  return tensor(rows.flat(), shape, { dtype: 'float64', requiresGrad: options.requiresGrad ?? false });
}

/** Element-wise closeness with a readable failure (first differing flat index). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    // NaN matches NaN and an infinity only itself (as in numpy.allclose with equal_nan).
    const same = Number.isNaN(expected[i]) ? Number.isNaN(actual[i]) : !Number.isFinite(expected[i]) ? actual[i] === expected[i] : Math.abs(actual[i] - expected[i]) <= tol * scale;
    if (!same) {
      expect.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}
