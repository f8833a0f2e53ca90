// fast-check arbitraries for property tests of ops: shapes, seeded tensors, valid conv configurations.
import fc from 'fast-check';
import { Rng } from '../rng.ts';
import { randn, Tensor } from '../tensor.ts';
import type { DType } from '../tensor.ts';

/** A shape of rank in [minRank, maxRank] with dims in [1, maxDim]. */
export function shapeArb(options: { minRank?: number; maxRank?: number; maxDim?: number } = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: options.maxDim ?? 4 }), { minLength: options.minRank ?? 1, maxLength: options.maxRank ?? 3 });
}

/**
 * A recipe for a tensor: its shape and the seed of its N(0,1) values. Counterexamples stay
 * readable (a shape and a seed, not hundreds of floats); `makeTensor` builds it.
 */
export interface TensorSpec { shape: number[]; seed: number }

export function tensorSpecArb(shape: fc.Arbitrary<number[]> = shapeArb()): fc.Arbitrary<TensorSpec> {
  return fc.record({ shape, seed: fc.integer({ min: 0, max: 1_000_000 }) });
}

export function makeTensor(spec: TensorSpec, options: { dtype?: DType; requiresGrad?: boolean; scale?: number } = {}): Tensor {
  return randn(spec.shape, { seed: spec.seed, dtype: options.dtype ?? 'float64', std: options.scale ?? 1, requiresGrad: options.requiresGrad ?? true });
}

/**
 * `makeTensor(spec)` with about `fraction` (default ½) of its elements replaced by values drawn from
 * `edges` (seeded by spec.seed): boundary inputs such as 0, −0, ties, tiny and huge values, placed where
 * a property would rarely draw them. The edge list is part of the test, so a counterexample stays a
 * shape, a seed and that list.
 */
export function makeEdgeTensor(spec: TensorSpec, edges: readonly number[], options: { dtype?: DType; requiresGrad?: boolean; scale?: number; fraction?: number } = {}): Tensor {
  const t = makeTensor(spec, { ...options, requiresGrad: false });
  const rng = new Rng(spec.seed + 7919);
  const fraction = options.fraction ?? 0.5;
  const data = t.data;
  for (let i = 0; i < data.length; i++) if (edges.length > 0 && rng.next() < fraction) data[i] = edges[Math.floor(rng.next() * edges.length)];
  return new Tensor(data, t.shape, options.requiresGrad ?? true);
}

/** Two shapes that broadcast together (numpy rules), e.g. [3, 1, 4] and [2, 4]. */
export function broadcastPairArb(options: { maxRank?: number; maxDim?: number } = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb({ minRank: 0, maxRank: options.maxRank ?? 3, maxDim: options.maxDim ?? 4 }).chain((full) =>
    fc.tuple(
      fc.tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length })),
      fc.tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length })),
    ).map(([[da, ma], [db, mb]]) => [
      full.slice(da).map((d, i) => (ma[i + da] ? 1 : d)),
      full.slice(db).map((d, i) => (mb[i + db] ? 1 : d)),
    ] as [number[], number[]]),
  );
}

export interface ConvCase {
  n: number; cin: number; cout: number; h: number; w: number;
  kh: number; kw: number;
  stride: [number, number]; padding: [number, number]; dilation: [number, number];
  bias: boolean;
  seed: number;
}

export interface ConvCaseLimits {
  maxBatch?: number; maxChannels?: number; maxKernel?: number; maxStride?: number; maxPadding?: number; maxDilation?: number;
  /** Largest output size per spatial dim (keeps finite differences cheap). */
  maxOut?: number;
}

/** One spatial axis: kernel k, stride s, padding p, dilation d and an input size the kernel fits, often with a stride remainder. */
function axisArb(l: Required<ConvCaseLimits>) {
  return fc.record({
    k: fc.integer({ min: 1, max: l.maxKernel }),
    s: fc.integer({ min: 1, max: l.maxStride }),
    p: fc.integer({ min: 0, max: l.maxPadding }),
    d: fc.integer({ min: 1, max: l.maxDilation }),
    outs: fc.integer({ min: 1, max: l.maxOut }),
    rem: fc.nat({ max: 2 }),
  }).map(({ k, s, p, d, outs, rem }) => {
    const ek = d * (k - 1) + 1;
    // H + 2P = (out−1)·S + K' + r, with r < S the rows the last stride does not reach.
    const size = Math.max(1, (outs - 1) * s + ek + (rem % s) - 2 * p);
    return { k, s, p, d, size };
  }).filter(({ k, d, p, size }) => d * (k - 1) + 1 <= size + 2 * p);
}

/** Valid conv2d configurations: channels, non-square kernels, strides that leave a remainder, dilation. */
export function convCaseArb(limits: ConvCaseLimits = {}): fc.Arbitrary<ConvCase> {
  const l: Required<ConvCaseLimits> = { maxBatch: 3, maxChannels: 4, maxKernel: 5, maxStride: 3, maxPadding: 2, maxDilation: 2, maxOut: 3, ...limits };
  return fc.record({
    n: fc.integer({ min: 1, max: l.maxBatch }),
    cin: fc.integer({ min: 1, max: l.maxChannels }),
    cout: fc.integer({ min: 1, max: l.maxChannels }),
    y: axisArb(l),
    x: axisArb(l),
    bias: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  }).map(({ n, cin, cout, y, x, bias, seed }) => ({
    n, cin, cout, h: y.size, w: x.size, kh: y.k, kw: x.k,
    stride: [y.s, x.s], padding: [y.p, x.p], dilation: [y.d, x.d], bias, seed,
  }));
}
