// Definitions written independently of the library for the issue-11 op tests: index arithmetic,
// reductions along one dim, and an arbitrary for (shape, seed, dim) cases.
import fc from 'fast-check';
import { Tensor } from '../src/index.ts';
import { shapeArb } from '../src/testing/index.ts';

export const seedArb = fc.integer({ min: 0, max: 1_000_000 });

export function stridesOf(shape: readonly number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

export function unflatten(flat: number, shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, i) => Math.floor(flat / s) % shape[i]);
}

export function flatOf(idx: readonly number[], shape: readonly number[]): number {
  return stridesOf(shape).reduce((p, s, i) => p + s * idx[i], 0);
}

/** A shape, a seed and one dim of it (written negative half of the time). */
export const dimCaseArb = (options: { minRank?: number; maxRank?: number; maxDim?: number } = {}) =>
  shapeArb({ minRank: options.minRank ?? 1, maxRank: options.maxRank ?? 3, maxDim: options.maxDim ?? 4 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      seed: seedArb,
      dim: fc.integer({ min: 0, max: shape.length - 1 }).chain((d) => fc.constantFrom(d, d - shape.length)),
      keepDim: fc.boolean(),
    }));

/**
 * fn applied to the values along dim `d` at every other position, in row-major order of the kept
 * shape (the reduced dim as size 1).
 */
export function alongDim(data: ArrayLike<number>, shape: readonly number[], d: number, fn: (values: number[]) => number): number[] {
  const kept = shape.map((s, i) => (i === d ? 1 : s));
  const size = kept.reduce((p, s) => p * s, 1);
  const out: number[] = [];
  for (let f = 0; f < size; f++) {
    const idx = unflatten(f, kept);
    const values: number[] = [];
    for (let j = 0; j < shape[d]; j++) {
      idx[d] = j;
      values.push(data[flatOf(idx, shape)]);
    }
    out.push(fn(values));
  }
  return out;
}

/** The reduced shape: dim d removed, or kept as 1. */
export function reducedShape(shape: readonly number[], d: number, keepDim: boolean): number[] {
  return keepDim ? shape.map((s, i) => (i === d ? 1 : s)) : shape.filter((_, i) => i !== d);
}

/** A float64 tensor from nested arrays. */
export function t64(values: number | number[] | number[][] | number[][][], requiresGrad = false): Tensor {
  const flat: number[] = [];
  const shape: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) { shape.push(v.length); v = v[0]; }
  (function walk(x: unknown) { if (Array.isArray(x)) x.forEach(walk); else flat.push(x as number); })(values);
  return new Tensor(Float64Array.from(flat), shape, requiresGrad);
}

/** For every position of the kept shape (row-major), the flat indices of the elements along dim d. */
export function linesAlong(shape: readonly number[], d: number): number[][] {
  const kept = shape.map((s, i) => (i === d ? 1 : s));
  const size = kept.reduce((p, s) => p * s, 1);
  return Array.from({ length: size }, (_, f) => {
    const idx = unflatten(f, kept);
    return Array.from({ length: shape[d] }, (_, j) => flatOf(idx.map((v, i) => (i === d ? j : v)), shape));
  });
}

/** Boundary values: signed zeros, ±1, tiny and huge magnitudes; drawn from a small set, so ties are common. */
export const boundaryCaseArb = shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((shape) => fc.record({
  shape: fc.constant(shape),
  values: fc.array(fc.constantFrom(0, -0, 1, -1, 2, 1e-300, -1e-300, 1e300, -1e300), {
    minLength: shape.reduce((p, s) => p * s, 1), maxLength: shape.reduce((p, s) => p * s, 1),
  }),
  dim: fc.integer({ min: 0, max: shape.length - 1 }),
}));
