// Inverted dropout: zero each element with probability p and scale the rest by 1/(1−p), so the
// expected value is unchanged and evaluation needs no rescaling.
import { record } from '../autograd.ts';
import { check } from '../errors.ts';
import { Rng } from '../rng.ts';
import { allocate, Tensor } from '../tensor.ts';
import { checkOptions } from './dim-args.ts';
import { mul } from './elementwise.ts';

export interface DropoutOptions {
  /** Identity when false (evaluation). Default true, as torch.nn.functional.dropout. */
  training?: boolean;
  /** Generator to draw the mask from (advanced by each call). */
  rng?: Rng;
  /** Seed of a fresh generator for this call, when no `rng` is given. */
  seed?: number;
}

// Used when neither rng nor seed is given: deterministic per process, different on every call.
const defaultRng = new Rng(0x5eed);

export function dropout(x: Tensor, p: number, options: DropoutOptions = {}): Tensor {
  check(x instanceof Tensor, 'dropout', 'input must be a Tensor');
  check(typeof p === 'number' && p >= 0 && p < 1, 'dropout', `p must be a probability in [0, 1), got ${String(p)}`);
  checkOptions(options, ['training', 'rng', 'seed'], 'dropout');
  if (options.training === false || p === 0) return x;
  const rng = options.rng ?? (options.seed !== undefined ? new Rng(options.seed) : defaultRng);
  const keep = 1 / (1 - p);
  const mask = allocate(x.dtype, x.size);
  const out = allocate(x.dtype, x.size);
  const xd = x.data;
  for (let i = 0; i < mask.length; i++) {
    const m = rng.next() < p ? 0 : keep;
    mask[i] = m;
    out[i] = xd[i] * m;
  }
  const maskT = new Tensor(mask, x.shape); // a constant: no gradient flows into the mask
  return record(new Tensor(out, x.shape), 'dropout', [x], (g) => [mul(g, maskT)], { p });
}
