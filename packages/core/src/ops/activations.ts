// Elementwise activations: relu, leakyRelu, sigmoid, tanh, exp, log. Each is a kernel loop forward and
// a backward rule written with ops (on the input or on the output), so second derivatives work.
import { record } from '../autograd.ts';
import { getBackend } from '../kernels/backend.ts';
import { leakyReluMap, stepScale, unaryMap, type UnaryFn } from '../kernels/unary.ts';
import { allocateEmpty, Tensor } from '../tensor.ts';
import { checkFinite, checkTensor } from '../validate.ts';
import { div, mul, sub } from './elementwise.ts';

/**
 * The shared pattern: y = f(x) by one kernel loop; `rule(g, x, y)` gives dL/dx from dL/dy = g
 * using ops only, reading the output (`readsOutput`) or else the input.
 */
function unary(fn: UnaryFn, x: Tensor, readsOutput: boolean, rule: (g: Tensor, x: Tensor, y: Tensor) => Tensor): Tensor {
  checkTensor(x, fn);
  const out = allocateEmpty(x.dtype, x.size);
  if (fn !== 'relu' || !getBackend().leakyRelu?.(x.data, 0, out)) unaryMap(fn, x.data, out);
  const y = new Tensor(out, x.shape);
  return record(y, fn, [x], (g) => [rule(g, x, y)], undefined, [readsOutput ? y : x]);
}

/**
 * g·(x > 0 ? 1 : slope), with the step taken from the constant `x` (its derivative is zero away from
 * the kink). Linear in g, so its own backward is itself: second derivatives through ReLU work.
 * One pass, no mask tensor.
 */
export function stepGrad(g: Tensor, x: Tensor, slope: number): Tensor {
  const out = allocateEmpty(g.dtype, g.size);
  if (!getBackend().stepScale?.(g.data, x.data, slope, out)) stepScale(g.data, x.data, slope, out);
  return record(new Tensor(out, g.shape), 'reluGrad', [g], (gg) => [stepGrad(gg, x, slope)], { slope }, [x]);
}

/** max(x, 0). The gradient at exactly 0 is taken as 0, as in PyTorch. */
export function relu(x: Tensor): Tensor {
  return unary('relu', x, false, (g) => stepGrad(g, x, 0));
}

/** x for x > 0, slope·x otherwise (default slope 0.01, as PyTorch's negative_slope). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkTensor(x, 'leakyRelu');
  checkFinite(slope, 'leakyRelu', 'slope');
  const out = allocateEmpty(x.dtype, x.size);
  if (!getBackend().leakyRelu?.(x.data, slope, out)) leakyReluMap(x.data, slope, out);
  return record(new Tensor(out, x.shape), 'leakyRelu', [x], (g) => [stepGrad(g, x, slope)], { slope }, [x]);
}

/** 1/(1+e^−x); σ' = σ(1−σ), written on the output. */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, true, (g, _x, s) => mul(g, mul(s, sub(1, s))));
}

/** tanh' = 1 − tanh², written on the output. */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, true, (g, _x, t) => mul(g, sub(1, mul(t, t))));
}

/** e^x; its derivative is itself (the output). */
export function exp(x: Tensor): Tensor {
  return unary('exp', x, true, (g, _x, y) => mul(g, y));
}

/** Natural log (NaN below 0, −Infinity at 0, as Math.log); log' = 1/x. */
export function log(x: Tensor): Tensor {
  return unary('log', x, false, (g, xx) => div(g, xx));
}
