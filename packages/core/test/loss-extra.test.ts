// crossEntropy / nllLoss / bce / bceWithLogits / l1 / smoothL1 / huber / klDiv: the definitions
// written out per element (weights, ignoreIndex and the 'mean' denominator, label smoothing,
// probability targets, K-dim inputs), FD first and second derivatives in float64, and the checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bce, bceWithLogits, crossEntropy, dropout, huberLoss, klDiv, l1Loss, logSoftmax, mseLoss, nllLoss, Rng, smoothL1Loss, softmax, softmaxCrossEntropy, tensor, Tensor,
  type Reduction,
} from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

const reductionArb = fc.constantFrom<Reduction>('mean', 'sum', 'none');
const f64 = (data: ArrayLike<number>, shape: number[], requiresGrad = false) => new Tensor(Float64Array.from(data), shape, requiresGrad);

/** [N, C, d…] logits, class targets with some ignored, weights, smoothing, reduction. */
const ceCaseArb = fc.record({
  n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 2, max: 5 }), rest: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  seed: fc.integer({ min: 0, max: 1e6 }), weighted: fc.boolean(), smoothing: fc.constantFrom(0, 0.1, 0.5, 1),
  ignoreIndex: fc.constantFrom(-100, 1), reduction: reductionArb,
});

function ceCase(k: { n: number; c: number; rest: number[]; seed: number; weighted: boolean }) {
  const rng = new Rng(k.seed);
  const x = makeTensor({ shape: [k.n, k.c, ...k.rest], seed: k.seed }, { scale: 2 });
  const m = k.n * k.rest.reduce((a, b) => a * b, 1);
  const y = Array.from({ length: m }, () => (rng.next() < 0.2 ? -100 : rng.int(k.c)));
  const w = k.weighted ? f64(Array.from({ length: k.c }, () => rng.uniform(0.2, 2)), [k.c]) : undefined;
  return { x, y: f64(y, [k.n, ...k.rest]), yArr: y, w, m };
}

/** The per-position definition: (1 − ε)·(−w_y·logp_y) + ε/C·(−Σ_c w_c·logp_c), 0 where ignored. */
function ceReference(x: Tensor, y: number[], w: Tensor | undefined, eps: number, ignore: number, reduction: Reduction): number[] {
  const [n, c, ...rest] = x.shape;
  const inner = rest.reduce((a, b) => a * b, 1);
  const lp = logSoftmax(x.detach(), 1).data;
  const wc = (j: number) => (w ? w.data[j] : 1);
  const per: number[] = [];
  let denom = 0;
  for (let i = 0; i < n; i++) for (let s = 0; s < inner; s++) {
    const yi = y[i * inner + s];
    if (yi === ignore) { per.push(0); continue; }
    const at = (j: number) => lp[(i * c + j) * inner + s];
    let smooth = 0;
    for (let j = 0; j < c; j++) smooth -= wc(j) * at(j);
    per.push((1 - eps) * -wc(yi) * at(yi) + (eps / c) * smooth);
    denom += wc(yi);
  }
  const total = per.reduce((a, b) => a + b, 0);
  return reduction === 'none' ? per : reduction === 'sum' ? [total] : [total / denom];
}

describe('crossEntropy with class indices', () => {
  it('is the definition with weights, ignoreIndex (out of the mean denominator) and label smoothing; FD first and second order', () => {
    checkProperty(ceCaseArb, (k) => {
      const { x, y, yArr, w } = ceCase(k);
      const ys = yArr.map((v) => (v === -100 ? k.ignoreIndex : v));
      const yT = f64(ys, [...y.shape]);
      const opts = { weight: w, labelSmoothing: k.smoothing, ignoreIndex: k.ignoreIndex, reduction: k.reduction };
      const out = crossEntropy(x, yT, opts);
      const want = ceReference(x, ys, w, k.smoothing, k.ignoreIndex, k.reduction);
      if (want.every(Number.isFinite)) {
        expectClose(out.data, want, 1e-12, 'loss');
        expectGradOk(gradcheck((t) => crossEntropy(t, yT, opts), [x]));
        expectGradOk(gradgradcheck((t) => crossEntropy(t, yT, opts), [x]));
      } else {
        expect(Number.isNaN(out.data[0]), 'every target ignored: mean is 0/0 = NaN as PyTorch').toBe(true);
      }
    }, 20);
  });

  it('accepts [C] unbatched logits, flat arrays and Int32Array targets; nllLoss of logSoftmax equals it', () => {
    const z = f64([1, 2, 0.5], [3]);
    expectClose(crossEntropy(z, [1]).data, [-logSoftmax(z, 0).data[1]], 1e-14, 'unbatched');
    expect(crossEntropy(z, [1], { reduction: 'none' }).shape).toEqual([]);
    // a [C] input takes a zero-dimensional class-index tensor, as PyTorch's cross_entropy(x, tensor(2))
    expectClose(crossEntropy(z, tensor(2)).data, [-logSoftmax(z, 0).data[2]], 1e-14, 'scalar target');
    expect(() => crossEntropy(z, tensor([[2]]))).toThrow(/^crossEntropy: class-index target must have shape \[1\] for this input, got \[1, 1\]/);
    const x = f64([0.1, 0.2, 0.3, 3, 2, 1], [2, 3]);
    expectClose(crossEntropy(x, Int32Array.from([2, 0])).data, nllLoss(logSoftmax(x, 1), [2, 0]).data, 1e-15, 'nll');
    // nllLoss takes crossEntropy's weight and ignoreIndex options
    const opts = { weight: f64([0.5, 2, 1], [3]), ignoreIndex: 1 };
    expectClose(nllLoss(logSoftmax(x, 1), [2, 1], opts).data, crossEntropy(x, [2, 1], opts).data, 1e-15, 'nll with weight and ignoreIndex');
    expectClose(nllLoss(logSoftmax(x, 1), [2, 1], opts).data, [-logSoftmax(x, 1).data[2]], 1e-15, 'the ignored row is left out, the weight cancels in the mean');
  });
});

describe('crossEntropy with probability targets', () => {
  it('−Σ_c w_c·t′_c·logp_c, t′ = (1 − ε)t + ε/C, mean over positions (not weights); FD in logits and targets', () => {
    checkProperty(ceCaseArb, (k) => {
      const x = makeTensor({ shape: [k.n, k.c, ...k.rest], seed: k.seed }, { scale: 2 });
      const t = softmax(makeTensor({ shape: [...x.shape], seed: k.seed + 1 }, { requiresGrad: false }), 1);
      const target = new Tensor(t.data, t.shape, true);
      const { w } = ceCase(k);
      const opts = { weight: w, labelSmoothing: k.smoothing, reduction: k.reduction };
      const lp = logSoftmax(x.detach(), 1).data;
      const c = k.c, inner = x.size / (k.n * c);
      const per: number[] = [];
      for (let i = 0; i < k.n; i++) for (let s = 0; s < inner; s++) {
        let v = 0;
        for (let j = 0; j < c; j++) {
          const at = (i * c + j) * inner + s;
          v -= (w ? w.data[j] : 1) * ((1 - k.smoothing) * t.data[at] + k.smoothing / c) * lp[at];
        }
        per.push(v);
      }
      const total = per.reduce((a, b) => a + b, 0);
      expectClose(crossEntropy(x, target, opts).data, k.reduction === 'none' ? per : k.reduction === 'sum' ? [total] : [total / per.length], 1e-12, 'loss');
      expectGradOk(gradcheck((a, b) => crossEntropy(a, b, opts), [x, target]));
      expectGradOk(gradgradcheck((a, b) => crossEntropy(a, b, opts), [x, target]));
    }, 20);
  });
});

describe('binary and regression losses: definitions, FD first and second order', () => {
  const caseArb = fc.record({ shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), seed: fc.integer({ min: 0, max: 1e6 }), reduction: reductionArb });
  const reduce = (per: number[], r: Reduction) => (r === 'none' ? per : r === 'sum' ? [per.reduce((a, b) => a + b, 0)] : [per.reduce((a, b) => a + b, 0) / per.length]);
  const uniform = (shape: number[], seed: number, lo: number, hi: number) => {
    const rng = new Rng(seed);
    const n = shape.reduce((a, b) => a * b, 1);
    return f64(Array.from({ length: n }, () => rng.uniform(lo, hi)), shape, true);
  };

  it('bce: −w(t·log x + (1 − t)·log(1 − x)); gradients in x and t', () => {
    checkProperty(caseArb, ({ shape, seed, reduction }) => {
      const x = uniform(shape, seed, 0.05, 0.95), t = uniform(shape, seed + 1, 0, 1);
      const w = uniform([shape.at(-1)!], seed + 2, 0.5, 2).detach();
      const per = Array.from(x.data, (v, i) => -w.data[i % w.size] * (t.data[i] * Math.log(v) + (1 - t.data[i]) * Math.log(1 - v)));
      expectClose(bce(x, t, { weight: w, reduction }).data, reduce(per, reduction), 1e-12, 'bce');
      expectGradOk(gradcheck((a, b) => bce(a, b, { weight: w, reduction }), [x, t]));
      expectGradOk(gradgradcheck((a, b) => bce(a, b, { weight: w, reduction }), [x, t]));
    }, 20);
  });

  it('bce clamps each log at −100: finite at x = 0 and 1', () => {
    expect(Array.from(bce(f64([0, 1, 0, 1], [4]), f64([1, 0, 0, 1], [4]), { reduction: 'none' }).data, (v) => v + 0)).toEqual([100, 100, 0, 0]);
  });

  it('bceWithLogits equals bce(σ(x)) with posWeight on the positive term; stable for huge logits', () => {
    checkProperty(caseArb, ({ shape, seed, reduction }) => {
      const x = makeTensor({ shape, seed }, { scale: 3 }), t = uniform(shape, seed + 1, 0, 1);
      const pw = uniform([shape.at(-1)!], seed + 2, 0.5, 3).detach(), w = uniform(shape, seed + 3, 0.5, 2).detach();
      const per = Array.from(x.data, (v, i) => {
        const s = 1 / (1 + Math.exp(-v));
        return -w.data[i] * (pw.data[i % pw.size] * t.data[i] * Math.log(s) + (1 - t.data[i]) * Math.log(1 - s));
      });
      const opts = { weight: w, posWeight: pw, reduction };
      expectClose(bceWithLogits(x, t, opts).data, reduce(per, reduction), 1e-10, 'bceWithLogits');
      expectGradOk(gradcheck((a, b) => bceWithLogits(a, b, opts), [x, t]));
      expectGradOk(gradgradcheck((a, b) => bceWithLogits(a, b, opts), [x, t]));
    }, 20);
    expectClose(bceWithLogits(f64([800, -800], [2]), f64([0, 1], [2]), { reduction: 'none' }).data, [800, 800], 1e-15, 'huge logits');
    // beyond softplus's default threshold (20) the log term is still there: log(1 + e^25) = 25 + log1p(e^−25)
    expect(bceWithLogits(f64([-25], [1]), f64([1], [1]), { reduction: 'none' }).data[0]).toBe(25 + Math.log1p(Math.exp(-25)));
  });

  it('l1, smoothL1 (β, β = 0), huber (δ): piecewise definitions; FD away from the kinks', () => {
    checkProperty(fc.record({ c: caseArb, beta: fc.constantFrom(0, 0.5, 1, 2) }), ({ c: { shape, seed, reduction }, beta }) => {
      const x = makeTensor({ shape, seed }, { scale: 2 }), y = makeTensor({ shape, seed: seed + 1 });
      const d = Array.from(x.data, (v, i) => v - y.data[i]);
      fc.pre(d.every((v) => Math.abs(Math.abs(v) - beta) > 1e-4 && Math.abs(v) > 1e-4));
      const sl1 = (v: number) => (Math.abs(v) < beta ? (0.5 * v * v) / beta : Math.abs(v) - 0.5 * beta);
      const hub = (v: number) => (Math.abs(v) < beta ? 0.5 * v * v : beta * (Math.abs(v) - 0.5 * beta));
      expectClose(l1Loss(x, y, { reduction }).data, reduce(d.map(Math.abs), reduction), 1e-12, 'l1');
      expectClose(smoothL1Loss(x, y, { beta, reduction }).data, reduce(d.map(sl1), reduction), 1e-12, 'smoothL1');
      const fns = [(a: Tensor, b: Tensor) => l1Loss(a, b, { reduction }), (a: Tensor, b: Tensor) => smoothL1Loss(a, b, { beta, reduction })];
      if (beta > 0) {
        expectClose(huberLoss(x, y, { delta: beta, reduction }).data, reduce(d.map(hub), reduction), 1e-12, 'huber');
        fns.push((a, b) => huberLoss(a, b, { delta: beta, reduction }));
      }
      for (const f of fns) {
        expectGradOk(gradcheck(f, [x, y]));
        expectGradOk(gradgradcheck(f, [x, y]));
      }
    }, 20);
  });

  it('klDiv: t(log t − x) with 0 where t = 0, or eᵗ(t − x) with logTarget; batchmean divides by N', () => {
    checkProperty(fc.record({ c: caseArb, logTarget: fc.boolean() }), ({ c: { shape, seed, reduction }, logTarget }) => {
      const x = makeTensor({ shape, seed }), t = uniform(shape, seed + 1, logTarget ? -2 : 0.05, logTarget ? 1 : 2);
      const per = Array.from(x.data, (v, i) => (logTarget ? Math.exp(t.data[i]) * (t.data[i] - v) : t.data[i] * (Math.log(t.data[i]) - v)));
      expectClose(klDiv(x, t, { reduction, logTarget }).data, reduce(per, reduction), 1e-12, 'klDiv');
      expectClose(klDiv(x, t, { reduction: 'batchmean', logTarget }).data, [per.reduce((a, b) => a + b, 0) / shape[0]], 1e-12, 'batchmean');
      expectGradOk(gradcheck((a, b) => klDiv(a, b, { reduction, logTarget }), [x, t]));
      expectGradOk(gradgradcheck((a, b) => klDiv(a, b, { reduction, logTarget }), [x, t]));
    }, 20);
    expect(Array.from(klDiv(f64([-1, -2], [2]), f64([0, 0.5], [2]), { reduction: 'none' }).data)).toEqual([0, 0.5 * (Math.log(0.5) + 2)]);
  });
});

describe('checks: every option and shape problem names the op and the value', () => {
  const x = f64([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]);
  it.each([
    [() => crossEntropy(x, [0, 3]), /^crossEntropy: target 3 at position 1 is out of range: need an integer class in \[0, 3\) or ignoreIndex -100/],
    [() => crossEntropy(x, [0]), /^crossEntropy: got 1 targets for 2 positions/],
    [() => crossEntropy(x, [0, 1], { labelSmoothing: 1.5 }), /^crossEntropy: labelSmoothing must be in \[0, 1\], got 1.5/],
    [() => crossEntropy(x, [0, 1], { labelSmoothing: -0.1 }), /^crossEntropy: labelSmoothing must be in \[0, 1\], got -0.1/],
    [() => crossEntropy(x, [0, 1], { labelSmoothing: '0.1' as never }), /^crossEntropy: labelSmoothing must be in \[0, 1\], got 0.1/],
    [() => crossEntropy(x, [0, 1], { weight: f64([1, 2], [2]) }), /^crossEntropy: weight must have shape \[3\]/],
    [() => crossEntropy(x, [0, 1], { pos_weight: 1 } as never), /^crossEntropy: unknown option 'pos_weight'/],
    [() => crossEntropy(x, [0, 1], { reduction: 'avg' as never }), /^crossEntropy: reduction must be 'mean', 'sum' or 'none', got 'avg'/],
    [() => crossEntropy(x, x, { ignoreIndex: 0 }), /^crossEntropy: ignoreIndex applies to class-index targets only/],
    [() => crossEntropy(f64([1, 2, 3, 4], [1, 2, 2]), f64([0, 1, 0], [1, 3])), /^crossEntropy: class-index target must have shape \[1, 2\]/],
    [() => nllLoss(x, [0, 1], { labelSmoothing: 0.1 } as never), /^nllLoss: unknown option 'labelSmoothing'/],
    [() => bce(f64([1.5], [1]), f64([1], [1])), /^bce: all elements of input must be in \[0, 1\], got 1.5 at position 0/],
    [() => bce(f64([0, -0.5], [2]), f64([1, 1], [2])), /^bce: all elements of input must be in \[0, 1\], got -0.5 at position 1/],
    [() => bce(f64([NaN], [1]), f64([1], [1])), /^bce: all elements of input must be in \[0, 1\], got NaN at position 0/],
    [() => bce(x, f64([1], [1])), /^bce: input \[2, 3\] and target \[1\] must have the same shape/],
    [() => bceWithLogits(x, x, { posWeight: f64([1, 2], [2]) }), /^bceWithLogits: posWeight of shape \[2\] does not broadcast to the input shape \[2, 3\]/],
    [() => smoothL1Loss(x, x, { beta: -1 }), /^smoothL1Loss: beta must be a finite number ≥ 0, got -1/],
    [() => huberLoss(x, x, { delta: 0 }), /^huberLoss: delta must be a finite number > 0, got 0/],
    [() => klDiv(x, x, { reduction: 'batch' as never }), /^klDiv: reduction must be 'mean', 'sum', 'none' or 'batchmean', got 'batch'/],
    [() => klDiv(x, x, { log_target: true } as never), /^klDiv: unknown option 'log_target'/],
    [() => l1Loss(x, tensor([1, 2, 3, 4, 5, 6], [2, 3])), /^l1Loss: dtype mismatch: input float64, target float32/],
  ])('%#', (f, re) => expect(f).toThrow(re));
});

describe('the older loss and dropout functions refuse unknown option keys', () => {
  const x = f64([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]);
  it.each([
    [() => softmaxCrossEntropy(x, [0, 1], { labelSmoothing: 0.1 } as never), /^softmaxCrossEntropy: unknown option 'labelSmoothing' \(known: reduction; crossEntropy has weight, ignoreIndex, labelSmoothing\)/],
    [() => mseLoss(x, x, { reduce: false } as never), /^mseLoss: unknown option 'reduce'/],
    [() => dropout(x, 0.5, { inplace: true } as never), /^dropout: unknown option 'inplace'/],
  ])('%#', (f, re) => expect(f).toThrow(re));
});

describe('crossEntropy refuses a target of the wrong kind, naming it (a survivor of the mutation sample)', () => {
  it('a string target', () => {
    expect(() => crossEntropy(tensor([[1, 2, 3], [0, 1, 0]]), 'abc' as never)).toThrow("crossEntropy: target must be a Tensor, a typed array or an array of numbers, got 'abc'");
  });
});
