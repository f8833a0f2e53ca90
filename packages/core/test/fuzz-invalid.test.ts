// A seeded fuzz over core's public API with invalid arguments only: non-tensors where a tensor belongs,
// bad geometry (stride/padding/dilation/kernel), bad dtypes and typed-array kinds, shapes above the
// allocation limit, unknown options and out-of-range settings. Every call must throw a ConvgradError whose
// message starts with the op and shows the offending value as written; a call that returns (a silent
// result) or throws anything else fails the property, which shrinks to one readable call.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, arange, avgPool2d, broadcastTo, conv2d, ConvgradError, dilate2d, div, dropout, exp, full, grad, leakyRelu,
  log, logSoftmax, matmul, maxPool2d, mean, mseLoss, mul, neg, ones, onesLike, pad, pad2d, permute, pow, rand, randn,
  record, registerBackend, relu, reshape, Rng, rot180, setBackend, noGrad, enableGrad, toDot, sigmoid, slice, softmax, softmaxCrossEntropy, sqrt, sub, subsample2d, sum, tanh, tensor,
  Tensor, transpose, zeros, zerosLike,
} from '../src/index.ts';
import { gradcheck, gradgradcheck } from '../src/testing/index.ts';

/** How a value appears in a message, written independently of the library's formatter. */
function shown(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(shown).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v instanceof Tensor) return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (typeof v === 'function') return 'a function';
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** One invalid call: which public function, which argument, the bad value; `run` makes the call. */
class Call {
  constructor(readonly fn: string, readonly arg: string, readonly value: unknown, readonly op: string, readonly run: () => unknown, readonly expected = shown(value)) {}
  [fc.toStringMethod](): string {
    return `${this.fn}(${this.arg} = ${shown(this.value)})`;
  }
}

// Valid operands, small; each call makes its own (an op never changes its inputs, but keep calls independent).
const x4 = () => zeros([1, 1, 4, 4]);
const w3 = () => zeros([1, 1, 3, 3]);
const m23 = () => zeros([2, 3]);

// ---- pools of bad values ----
const notTensor = fc.constantFrom<unknown>(undefined, null, 0, 2.5, 'x', [1, 2], [[1, 2]], true, {}, { shape: [2] }, new Float32Array(2), () => 1);
const notNumberOrTensor = fc.constantFrom<unknown>(undefined, null, 'x', [1, 2], true, {}, new Float32Array(2));
/** Not a positive integer (nor an [h, w] pair of them). */
const badPositive = fc.oneof(
  fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, -Infinity, -0, null, '2', true, {}, [], [1], [1, 2, 3], [1, 0], [2, NaN], [1.5, 1], ['1', 1]),
  fc.integer({ min: -1_000_000, max: 0 }),
  fc.double({ min: 1.0001, max: 1e6, noNaN: true }).filter((v) => !Number.isInteger(v)),
);
/** Not a non-negative integer (nor a pair). -0 is a legal padding. */
const badNonNegative = fc.oneof(
  fc.constantFrom<unknown>(-1, 0.5, NaN, Infinity, -Infinity, null, '1', false, {}, [1, 2, 3], [0, -1], [NaN, 0], [0.5, 0]),
  fc.integer({ min: -1_000_000, max: -1 }),
);
const badDType = fc.constantFrom<unknown>('float16', 'int8', 'int32', 'uint8', 'float', 'Float32', 'double', '', null, 32, {});
const badTypedArray = fc.constantFrom<unknown>(new Int32Array(2), new Uint8Array(2), new Int8Array(2), new Uint16Array(2), new BigInt64Array(2), new Uint8ClampedArray(2), [0, 0], 'ab');
/** Shapes of valid dims whose element count exceeds 2³¹ − 1 (refused before anything is allocated). */
const hugeShape: fc.Arbitrary<number[]> = fc.oneof(
  fc.constantFrom<number[]>([2 ** 17, 2 ** 17], [2 ** 31], [65536, 65536], [2 ** 16, 2 ** 15, 2], [1, 2 ** 31, 1], [2 ** 40]),
  fc.tuple(fc.integer({ min: 2 ** 16, max: 2 ** 20 }), fc.integer({ min: 2 ** 16, max: 2 ** 20 })).map(([a, b]) => [a, b]),
);
const badShape = fc.constantFrom<unknown>([-1], [1.5], [NaN], [Infinity], [2, -3], 'abc', null, 7, [[2]], ['2']);
const notFinite = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, '1', null, [1], {});

// ---- calls, grouped by what is wrong ----
const unaryOps: Record<string, (x: never) => unknown> = {
  relu, sigmoid, tanh, exp, log, sqrt, neg, sum, mean, softmax, logSoftmax, rot180, leakyRelu, zerosLike, onesLike,
  pow: (x) => pow(x, 2), dropout: (x) => dropout(x, 0.5, { seed: 1 }), reshape: (x) => reshape(x, [2]),
  permute: (x) => permute(x, [0]), transpose: (x) => transpose(x, 0, 1), maxPool2d: (x) => maxPool2d(x, 2),
  avgPool2d: (x) => avgPool2d(x, 2), pad2d: (x) => pad2d(x, 1), dilate2d: (x) => dilate2d(x, 2),
  subsample2d: (x) => subsample2d(x, 2), broadcastTo: (x) => broadcastTo(x, [2]), slice: (x) => slice(x, [0], [1]),
  pad: (x) => pad(x, [[1, 1]]),
};
const tensorArgs = fc.oneof(
  fc.tuple(fc.constantFrom(...Object.keys(unaryOps)), notTensor).map(([name, v]) => new Call(name, 'input', v, name, () => unaryOps[name](v as never))),
  fc.tuple(fc.constantFrom('add', 'sub', 'mul', 'div'), notNumberOrTensor, fc.boolean()).map(([name, v, first]) => {
    const f = { add, sub, mul, div }[name]!;
    return new Call(name, first ? 'a' : 'b', v, name, () => (first ? f(v as never, m23()) : f(m23(), v as never)));
  }),
  fc.tuple(fc.constantFrom('input', 'weight', 'bias'), notTensor.filter((v) => v !== undefined && v !== null)).map(([arg, v]) =>
    new Call('conv2d', arg, v, 'conv2d', () => conv2d((arg === 'input' ? v : x4()) as never, (arg === 'weight' ? v : w3()) as never, (arg === 'bias' ? v : null) as never))),
  fc.tuple(fc.constantFrom('input', 'weight'), fc.constantFrom<unknown>(undefined, null)).map(([arg, v]) =>
    new Call('conv2d', arg, v, 'conv2d', () => conv2d((arg === 'input' ? v : x4()) as never, (arg === 'weight' ? v : w3()) as never))),
  fc.tuple(fc.boolean(), notTensor).map(([first, v]) => new Call('matmul', first ? 'a' : 'b', v, 'matmul', () => (first ? matmul(v as never, m23()) : matmul(m23(), v as never)))),
  fc.tuple(fc.boolean(), notTensor).map(([first, v]) => new Call('mseLoss', first ? 'pred' : 'target', v, 'mseLoss', () => (first ? mseLoss(v as never, m23()) : mseLoss(m23(), v as never)))),
  notTensor.map((v) => new Call('softmaxCrossEntropy', 'logits', v, 'softmaxCrossEntropy', () => softmaxCrossEntropy(v as never, [0, 1]))),
  notTensor.filter((v) => v !== undefined).map((v) => new Call('backward', 'gradOutput', v, 'backward', () => mul(m23(), zeros([2, 3], { requiresGrad: true })).backward(v as never))),
  notTensor.map((v) => new Call('grad', 'inputs[0]', v, 'grad', () => grad(sum(zeros([2], { requiresGrad: true })), [v as never]))),
);

const geometry = fc.oneof(
  fc.tuple(fc.constantFrom('stride', 'dilation'), badPositive).map(([arg, v]) => new Call('conv2d', arg, v, 'conv2d', () => conv2d(x4(), w3(), null, { [arg]: v } as never))),
  badNonNegative.map((v) => new Call('conv2d', 'padding', v, 'conv2d', () => conv2d(x4(), w3(), null, { padding: v } as never))),
  fc.tuple(fc.constantFrom('maxPool2d', 'avgPool2d'), fc.constantFrom('kernel', 'stride'), badPositive).map(([name, arg, v]) => {
    const f = name === 'maxPool2d' ? maxPool2d : avgPool2d;
    return new Call(name, arg, v, name, () => (arg === 'kernel' ? f(x4(), v as never) : f(x4(), 2, { stride: v } as never)));
  }),
  fc.tuple(fc.constantFrom('maxPool2d', 'avgPool2d'), badNonNegative).map(([name, v]) =>
    new Call(name, 'padding', v, name, () => (name === 'maxPool2d' ? maxPool2d : avgPool2d)(x4(), 2, { padding: v } as never))),
  badNonNegative.map((v) => new Call('pad2d', 'padding', v, 'pad2d', () => pad2d(x4(), v as never))),
  fc.tuple(fc.constantFrom('dilate2d', 'subsample2d'), badPositive).map(([name, v]) => new Call(name, 'stride', v, name, () => (name === 'dilate2d' ? dilate2d : subsample2d)(x4(), v as never))),
  fc.tuple(fc.constantFrom('zeros', 'ones', 'rand', 'randn', 'broadcastTo', 'Tensor'), badShape).map(([name, v]) => {
    const run: Record<string, () => unknown> = {
      zeros: () => zeros(v as never), ones: () => ones(v as never), rand: () => rand(v as never), randn: () => randn(v as never),
      broadcastTo: () => broadcastTo(zeros([1]), v as never), Tensor: () => new Tensor(new Float32Array(1), v as never),
    };
    return new Call(name, 'shape', v, name, run[name]);
  }),
  fc.tuple(fc.constantFrom(0.5, -3, 2, NaN, Infinity, 2.5), fc.boolean()).map(([d, first]) => new Call('transpose', first ? 'dim0' : 'dim1', d, 'transpose', () => transpose(m23(), first ? d : 0, first ? 1 : d))),
  fc.constantFrom<unknown>([0], [1, 1], [0, 2], [0.5, 1], 'ab', null).map((v) => new Call('permute', 'perm', v, 'permute', () => permute(m23(), v as never))),
  fc.constantFrom<unknown>([4, 2], [-2], [1.5, 4], 'ab', null, [NaN]).map((v) => new Call('reshape', 'shape', v, 'reshape', () => reshape(m23(), v as never))),
  fc.constantFrom<unknown>(2, -3, 1.5, NaN, 'a', [0, 0], [5], null, {}).map((v) => new Call('sum', 'axes', v, 'sum', () => sum(m23(), v as never))),
  fc.constantFrom<unknown>(2, -3, 1.5, NaN, 'a', null).map((v) => new Call('softmax', 'axis', v, 'softmax', () => softmax(m23(), v as never))),
);

const dtypes = fc.oneof(
  fc.tuple(fc.constantFrom('zeros', 'ones', 'full', 'rand', 'randn', 'arange', 'tensor'), badDType).map(([name, d]) => {
    const opts = { dtype: d } as never;
    const run: Record<string, () => unknown> = {
      zeros: () => zeros([2], opts), ones: () => ones([2], opts), full: () => full([2], 1, opts), rand: () => rand([2], opts),
      randn: () => randn([2], opts), arange: () => arange(0, 3, 1, opts), tensor: () => tensor([1, 2], undefined, opts),
    };
    return new Call(name, 'dtype', d, name, run[name]);
  }),
  badDType.map((d) => new Call('to', 'dtype', d, 'to', () => zeros([2]).to(d as never))),
  badTypedArray.map((a) => new Call('Tensor', 'data', a, 'Tensor', () => new Tensor(a as never, [2]))),
  fc.constantFrom<unknown>(new BigInt64Array(2), 'ab', null, {}, true).map((a) => new Call('tensor', 'values', a, 'tensor', () => tensor(a as never))),
);

const sizes = fc.oneof(
  fc.tuple(fc.constantFrom('zeros', 'ones', 'full', 'rand', 'randn', 'broadcastTo'), hugeShape).map(([name, s]) => {
    const run: Record<string, () => unknown> = {
      zeros: () => zeros(s), ones: () => ones(s), full: () => full(s, 1), rand: () => rand(s), randn: () => randn(s),
      broadcastTo: () => broadcastTo(zeros([1]), s),
    };
    return new Call(name, 'shape', s, name, run[name]);
  }),
  fc.integer({ min: 23_200, max: 2 ** 30 }).map((p) => new Call('conv2d', 'padding', p, 'conv2d', () => conv2d(x4(), w3(), null, { padding: p }))),
  fc.integer({ min: 23_200, max: 2 ** 30 }).map((p) => new Call('pad2d', 'padding', p, 'pad2d', () => pad2d(x4(), p))),
  fc.integer({ min: 2 ** 16, max: 2 ** 30 }).map((p) => new Call('pad', 'widths', [[0, p]], 'pad', () => pad(zeros([2 ** 15, 1]), [[0, 0], [0, p]]), String(p))),
  fc.integer({ min: 2 ** 15, max: 2 ** 30 }).map((s) => new Call('dilate2d', 'stride', s, 'dilate2d', () => dilate2d(zeros([1, 1, 1 << 7, 1 << 7]), s))),
  fc.integer({ min: 2 ** 16, max: 2 ** 20 }).map((n) => new Call('add', 'b', [1, n], 'add', () => add(zeros([n, 1]), zeros([1, n])), `[${n}, 1] and [1, ${n}]`)),
  fc.integer({ min: 2 ** 16, max: 2 ** 20 }).map((n) => new Call('matmul', 'b', [1, n, 1, 1], 'matmul', () => matmul(zeros([n, 1, 1, 1]), zeros([1, n, 1, 1])), `[${n}, 1, 1, 1] and [1, ${n}, 1, 1]`)),
  fc.oneof(fc.constantFrom(Infinity, -Infinity, NaN), fc.double({ min: 2 ** 31, max: 1e300, noNaN: true })).map((e) =>
    new Call('arange', 'end', e, 'arange', () => arange(0, e))),
);

const settings = fc.oneof(
  notFinite.map((p) => new Call('pow', 'exponent', p, 'pow', () => pow(m23(), p as never))),
  notFinite.map((s) => new Call('leakyRelu', 'slope', s, 'leakyRelu', () => leakyRelu(m23(), s as never))),
  fc.constantFrom<unknown>(1, 1.5, -0.1, NaN, Infinity, '0.5', null).map((p) => new Call('dropout', 'p', p, 'dropout', () => dropout(m23(), p as never))),
  fc.constantFrom<unknown>(1.5, NaN, Infinity, '1', null, 2 ** 60).map((s) => new Call('dropout', 'seed', s, 'dropout', () => dropout(m23(), 0.5, { seed: s } as never))),
  fc.tuple(fc.constantFrom('rand', 'randn'), fc.constantFrom<unknown>(1.5, NaN, -Infinity, '1', null)).map(([name, s]) =>
    new Call(name, 'seed', s, name, () => (name === 'rand' ? rand : randn)([2], { seed: s } as never))),
  fc.constantFrom<unknown>(1.5, NaN, '1', null).map((s) => new Call('Rng', 'seed', s, 'Rng', () => new Rng(s as never))),
  fc.tuple(fc.constantFrom('mean', 'std'), notFinite).map(([k, v]) => new Call('randn', k, v, 'randn', () => randn([2], { [k]: v } as never))),
  fc.constantFrom(-1, -1e-9, -Infinity).map((v) => new Call('randn', 'std', v, 'randn', () => randn([2], { std: v }))),
  fc.tuple(fc.constantFrom('low', 'high'), notFinite).map(([k, v]) => new Call('rand', k, v, 'rand', () => rand([2], { [k]: v } as never))),
  fc.tuple(fc.constantFrom('start', 'step'), notFinite).map(([k, v]) => new Call('arange', k, v, 'arange', () => (k === 'start' ? arange(v as never, 5) : arange(0, 5, v as never)))),
  fc.constantFrom('avg', 'Mean', '', 'elementwise_mean').map((r) => new Call('mseLoss', 'reduction', r, 'mseLoss', () => mseLoss(m23(), m23(), { reduction: r as never }))),
  fc.constantFrom('avg', 'Sum', '').map((r) => new Call('softmaxCrossEntropy', 'reduction', r, 'softmaxCrossEntropy', () => softmaxCrossEntropy(m23(), [0, 1], { reduction: r as never }))),
  fc.constantFrom<unknown>(3, -1, 1.5, NaN, '0').map((l) => new Call('softmaxCrossEntropy', 'label', l, 'softmaxCrossEntropy', () => softmaxCrossEntropy(m23(), [0, l as never]))),
  fc.constantFrom<unknown>('a', null, {}, [1]).map((v) => new Call('full', 'value', v, 'full', () => full([2], v as never))),
  fc.constantFrom<unknown>('a', null, [1, 'a'], [true]).map((v) => new Call('tensor', 'values', v, 'tensor', () => tensor([1, v] as never), shown(v))),
  fc.constantFrom<unknown>(1, 'yes', null, 0).map((v) => new Call('backward', 'retainGraph', v, 'backward', () => sum(mul(zeros([2], { requiresGrad: true }), 2)).backward(undefined, { retainGraph: v } as never))),
  fc.constantFrom<unknown>(1, 'yes', null).map((v) => new Call('Tensor', 'requiresGrad', v, 'Tensor', () => new Tensor(new Float32Array(1), [1], v as never))),
  fc.constantFrom<unknown>(1, 'yes', null).map((v) => new Call('requiresGrad_', 'flag', v, 'requiresGrad_', () => zeros([1]).requiresGrad_(v as never))),
  fc.constantFrom<unknown>('gpu', 'JS', '', null, 1, {}).map((v) => new Call('setBackend', 'name', v, 'setBackend', () => setBackend(v as never))),
  fc.constantFrom<unknown>(null, 1, 'wasm', {}, { name: '' }).map((v) => new Call('registerBackend', 'backend', v, 'registerBackend', () => registerBackend(v as never))),
  fc.tuple(fc.constantFrom('noGrad', 'enableGrad'), fc.constantFrom<unknown>(undefined, null, 1, 'f', {})).map(([name, v]) =>
    new Call(name, 'fn', v, name, () => (name === 'noGrad' ? noGrad : enableGrad)(v as never))),
  notTensor.map((v) => new Call('toDot', 'root', v, 'toDot', () => toDot(v as never))),
  fc.tuple(fc.constantFrom('out', 'inputs[0]', 'backward', 'saved[0]'), notTensor.filter((v) => typeof v !== 'function')).map(([arg, v]) => new Call('record', arg, v, 'record', () => {
    const x = zeros([1], { requiresGrad: true });
    return record((arg === 'out' ? v : zeros([1])) as never, 'custom', (arg === 'inputs[0]' ? [v] : [x]) as never,
      (arg === 'backward' ? v : (g: Tensor) => [g]) as never, undefined, (arg === 'saved[0]' ? [v] : [x]) as never);
  })),
  fc.tuple(fc.constantFrom('gradcheck', 'gradgradcheck'), fc.constantFrom<[string, unknown]>(['fn', 'relu'], ['fn', null], ['inputs', 'x'], ['eps', NaN], ['atol', -1], ['seed', 0.5], ['options', 'fast']))
    .map(([name, [arg, v]]) => new Call(name, arg, v, name, () => {
      const check = name === 'gradcheck' ? gradcheck : gradgradcheck;
      const x = [zeros([2], { dtype: 'float64', requiresGrad: true })];
      if (arg === 'fn') return check(v as never, x);
      if (arg === 'inputs') return check(relu as never, v as never);
      if (arg === 'options') return check(relu as never, x, v as never);
      return check(relu as never, x, { [arg]: v });
    })),
  fc.tuple(fc.constantFrom<[string, string, () => (o: unknown) => unknown]>(
    ['conv2d', 'strides', () => (o) => conv2d(x4(), w3(), null, o as never)],
    ['maxPool2d', 'returnIndices', () => (o) => maxPool2d(x4(), 2, o as never)],
    ['avgPool2d', 'dilation', () => (o) => avgPool2d(x4(), 2, o as never)],
    ['zeros', 'dtyp', () => (o) => zeros([2], o as never)],
    ['randn', 'sd', () => (o) => randn([2], o as never)],
    ['rand', 'generator', () => (o) => rand([2], o as never)],
    ['mseLoss', 'reduce', () => (o) => mseLoss(m23(), m23(), o as never)],
    ['dropout', 'inplace', () => (o) => dropout(m23(), 0.5, o as never)],
    ['grad', 'retain_graph', () => (o) => grad(sum(mul(zeros([1], { requiresGrad: true }), 2)), [zeros([1], { requiresGrad: true })], o as never)],
  ), fc.constantFrom<unknown>(1, true, 'x')).map(([[name, key, make], v]) => new Call(name, `options.${key}`, v, name, () => make()({ [key]: v }), `'${key}'`)),
);

describe('fuzz: invalid calls across the public API', () => {
  it('every one throws a ConvgradError naming the op and the offending value (≥ 1,500 calls)', () => {
    const tally = { calls: 0, named: 0, silent: 0, otherError: 0, unnamed: 0 };
    const groups = { tensorArgs, geometry, dtypes, sizes, settings };
    const perGroup: Record<string, number> = {};
    const arb = fc.oneof(...Object.entries(groups).map(([g, a]) => a.map((c) => ({ group: g, call: c }))));
    fc.assert(fc.property(arb, ({ group, call }) => {
      tally.calls++;
      perGroup[group] = (perGroup[group] ?? 0) + 1;
      let error: unknown = null, returned = false;
      try {
        call.run();
        returned = true;
      } catch (e) {
        error = e;
      }
      if (returned) {
        tally.silent++;
        throw new Error(`${call[fc.toStringMethod]()} returned instead of throwing`);
      }
      if (!(error instanceof ConvgradError)) {
        tally.otherError++;
        throw new Error(`${call[fc.toStringMethod]()} threw ${String(error)} instead of a ConvgradError`);
      }
      const ok = error.op === call.op && error.message.startsWith(`${call.op}: `) && error.message.includes(call.expected);
      if (!ok) {
        tally.unnamed++;
        throw new Error(`${call[fc.toStringMethod]()}: "${error.message}" should start with "${call.op}: " and contain ${call.expected}`);
      }
      tally.named++;
    }), { numRuns: 1500 });
    expect(tally.calls).toBeGreaterThanOrEqual(1500);
    expect(tally).toEqual({ calls: tally.calls, named: tally.calls, silent: 0, otherError: 0, unnamed: 0 });
    for (const g of Object.keys(groups)) expect(perGroup[g], `calls in group ${g}`).toBeGreaterThan(100);
  });
});
