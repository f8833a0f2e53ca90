// sqrt and pow with a constant exponent; backward rules written with ops (so they differentiate again).
import { record } from '../autograd.ts';
import { checkFinite, checkTensor } from '../validate.ts';
import { powMap, sqrtMap } from '../kernels/power.ts';
import { allocate, Tensor, zerosLike } from '../tensor.ts';
import { div, mul } from './elementwise.ts';

/** √x elementwise (NaN below 0); d√x/dx = 1/(2√x), written on the output. */
export function sqrt(x: Tensor): Tensor {
  checkTensor(x, 'sqrt');
  const out = allocate(x.dtype, x.size);
  sqrtMap(x.data, out);
  const y = new Tensor(out, x.shape);
  return record(y, 'sqrt', [x], (g) => [div(g, mul(y, 2))], undefined, [y]);
}

/**
 * x^p elementwise for a constant number p; d(x^p)/dx = p·x^(p−1), which is right at x = 0 and for negative x
 * (never p·xᵖ/x). As PyTorch: 0^p = ∞ for p < 0, the gradient of x^0 is 0 everywhere (also where g is ∞).
 */
export function pow(x: Tensor, p: number): Tensor {
  checkTensor(x, 'pow');
  checkFinite(p, 'pow', 'exponent');
  const out = allocate(x.dtype, x.size);
  powMap(x.data, p, out);
  return record(new Tensor(out, x.shape), 'pow', [x], (g) => [p === 0 ? zerosLike(x) : mul(g, mul(pow(x, p - 1), p))], { p });
}
