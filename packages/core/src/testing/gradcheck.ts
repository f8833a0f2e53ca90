// Finite-difference checks of backward rules, as a public feature.
import { enableGrad, grad, noGrad } from '../autograd.ts';
import { check } from '../errors.ts';
import { add, mul } from '../ops/elementwise.ts';
import { sum } from '../ops/reduce.ts';
import { checkSeed, Rng } from '../rng.ts';
import { stridesOf } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { checkOptions, checkTensor, fmtArg } from '../validate.ts';

export interface GradcheckOptions {
  /** Central-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random cotangent v (default 0). */
  seed?: number;
}

export interface GradcheckWorst {
  /** Which argument of fn. */
  input: number;
  /** Multi-index of the element in that argument. */
  index: number[];
  analytic: number;
  numeric: number;
  absError: number;
}

export interface GradcheckReport {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  /** The element with the largest error relative to its tolerance (null when no input requires grad). */
  worst: GradcheckWorst | null;
  /** Number of elements checked. */
  checked: number;
  /** A sentence a person can act on. */
  message: string;
}

/** fn a function, inputs an array of Tensors, options known keys with positive finite tolerances (integer seed). */
function checkCall(fn: unknown, inputs: unknown, options: GradcheckOptions, op: string): void {
  check(typeof fn === 'function', op, () => `fn must be a function, got ${fmtArg(fn)}`);
  check(Array.isArray(inputs), op, () => `inputs must be an array of Tensors, got ${fmtArg(inputs)}`);
  inputs.forEach((x, i) => checkTensor(x, op, `input ${i}`));
  checkOptions(options, op, ['eps', 'atol', 'rtol', 'seed']);
  for (const k of ['eps', 'atol', 'rtol'] as const) {
    const v = options[k];
    check(v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0), op, () => `${k} must be a finite number ≥ 0, got ${fmtArg(v)}`);
  }
  if (options.seed !== undefined) checkSeed(options.seed, op);
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, i) => Math.floor(flat / s) % shape[i]);
}

/** Σ v·fn(x) as one scalar, with a fixed random cotangent v per output (so any Jacobian row counts). */
function scalarize(fn: (...xs: Tensor[]) => Tensor, seed: number): (xs: Tensor[]) => Tensor {
  let v: Tensor | null = null;
  return (xs) => {
    const out = fn(...xs);
    check(out instanceof Tensor, 'gradcheck', 'fn must return a Tensor');
    if (!v) {
      const rng = new Rng(seed);
      v = new Tensor(new Float64Array(out.size).map(() => rng.uniform(0.5, 1.5) * (rng.next() < 0.5 ? -1 : 1)), out.shape);
    }
    return sum(mul(out.dtype === 'float64' ? out : out.to('float64'), v));
  };
}

/**
 * Compares the analytic gradient of fn (through the graph's backward rules) with central
 * differences in float64, for every input that requires grad. Non-scalar outputs are reduced
 * with a fixed random cotangent v, so the check covers vᵀJ. Inputs must be float64.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  checkCall(fn, inputs, options, 'gradcheck');
  const eps = options.eps ?? 1e-6, atol = options.atol ?? 1e-5, rtol = options.rtol ?? 1e-3;
  inputs.forEach((x, i) => check(x.dtype === 'float64', 'gradcheck', `input ${i} is ${x.dtype}; finite differences need float64 (use .to('float64'))`));
  const f = scalarize(fn, options.seed ?? 0);
  const leaves = inputs.map((x) => new Tensor(x.data.slice(), x.shape, x.requiresGrad));
  const wanted = leaves.filter((x) => x.requiresGrad);
  const out = f(leaves);
  const analytic = out.requiresGrad && wanted.length > 0 ? grad(out, wanted, { allowUnused: true }) : wanted.map((x) => new Tensor(new Float64Array(x.size), x.shape));

  let maxAbs = 0, maxRel = 0, worstRatio = -1, checked = 0;
  let worst: GradcheckWorst | null = null;
  noGrad(() => {
    let k = 0;
    leaves.forEach((x, inputIndex) => {
      if (!x.requiresGrad) return;
      const a = analytic[k++].data;
      const data = x.data;
      for (let j = 0; j < x.size; j++) {
        const orig = data[j];
        data[j] = orig + eps;
        const plus = f(leaves).item();
        data[j] = orig - eps;
        const minus = f(leaves).item();
        data[j] = orig;
        const numeric = (plus - minus) / (2 * eps);
        const absError = Math.abs(a[j] - numeric);
        const relError = absError / Math.max(Math.abs(numeric), 1e-12);
        const ratio = Number.isNaN(absError) ? Infinity : absError / (atol + rtol * Math.abs(numeric));
        maxAbs = Math.max(maxAbs, absError);
        maxRel = Math.max(maxRel, relError);
        checked++;
        if (ratio > worstRatio) {
          worstRatio = ratio;
          worst = { input: inputIndex, index: multiIndex(j, x.shape), analytic: a[j], numeric, absError };
        }
      }
    });
  });
  const ok = worstRatio <= 1;
  const w = worst as GradcheckWorst | null;
  const message = !w
    ? 'no input requires grad: nothing to check'
    : ok
      ? `ok: ${checked} elements, max abs error ${maxAbs.toExponential(2)}`
      : `gradient mismatch at input ${w.input} index [${w.index.join(', ')}]: analytic ${w.analytic} vs numeric ${w.numeric} (abs error ${w.absError.toExponential(2)} > atol ${atol} + rtol ${rtol}·|numeric|)`;
  return { ok, maxAbsError: maxAbs, maxRelError: maxRel, worst: w, checked, message };
}

/**
 * Checks second derivatives: the gradient of u·∇(v·fn)(x) from the recorded backward graph
 * (createGraph) against central differences of the analytic first gradient.
 */
export function gradgradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  checkCall(fn, inputs, options, 'gradgradcheck');
  const seed = options.seed ?? 0;
  const first = scalarize(fn, seed);
  let u: Tensor[] | null = null;
  // The inner gradient needs a recorded graph even while gradcheck evaluates under noGrad.
  const secondOrder = (...xs: Tensor[]): Tensor => enableGrad(() => {
    const wanted = xs.filter((x) => x.requiresGrad);
    const out = first(xs);
    if (!out.requiresGrad) return out.mul(0);
    const gs = grad(out, wanted, { createGraph: true, allowUnused: true });
    if (!u) {
      const rng = new Rng(seed + 1);
      u = gs.map((g) => new Tensor(new Float64Array(g.size).map(() => rng.uniform(-1, 1)), g.shape));
    }
    return gs.reduce((acc: Tensor, g, i) => add(acc, sum(mul(g, u![i]))), new Tensor(new Float64Array(1), []));
  });
  return gradcheck(secondOrder, inputs, { ...options, seed });
}
