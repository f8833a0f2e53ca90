// Parameter initialization (PyTorch's defaults) and the default generator layers draw from.
import { ConvgradError, rand, Rng, type DType, type Tensor } from '@convgrad/core';
import { checkDim, checkDType, fmtArg, optionOr } from './checks.ts';

let defaultRng = new Rng(0);

/** Reseeds the generator used by layers created without `seed` or `rng` (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  checkSeed(seed, 'manualSeed');
  defaultRng = new Rng(seed);
}

/** The generator layers built without `seed`/`rng` draw from (training checkpoints save its state). */
export function defaultGenerator(): Rng {
  return defaultRng;
}

export interface InitOptions {
  /** A fresh generator with this seed; ignored when `rng` is given. */
  seed?: number;
  /** A shared generator (successive layers draw successive values). */
  rng?: Rng;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** The option names of InitOptions (for checkOptions). */
export const INIT_OPTION_KEYS = ['seed', 'rng', 'dtype'] as const;

function checkSeed(seed: unknown, op: string): void {
  checkDim(seed, op, 'seed');
  if (!Number.isSafeInteger(seed)) throw new ConvgradError(op, `seed must be a safe integer, got ${fmtArg(seed)}`);
}

/** The generator an init should use: `rng`, else a new one from `seed`, else the default one (both checked for `op`). */
export function rngFrom(options: Pick<InitOptions, 'seed' | 'rng'>, op = 'rngFrom'): Rng {
  if (options.rng !== undefined && !(options.rng instanceof Rng)) throw new ConvgradError(op, `rng must be an Rng, got ${fmtArg(options.rng)}`);
  if (options.seed !== undefined) checkSeed(options.seed, op);
  return options.rng !== undefined ? options.rng : options.seed !== undefined ? new Rng(options.seed) : defaultRng;
}

/** The parameter dtype of `options` (default float32), checked for `op`. */
export function dtypeFrom(options: Pick<InitOptions, 'dtype'>, op: string): DType {
  const dtype = optionOr(options.dtype, 'float32');
  checkDType(dtype, op);
  return dtype;
}

/**
 * PyTorch's default for Conv2d and Linear: kaiming_uniform_(a = √5) on the weight, i.e.
 * gain = √(2 / (1 + a²)) = √(1/3), bound = gain · √3 / √fan_in = 1 / √fan_in, so
 * W ~ U(−1/√fan_in, 1/√fan_in); the bias ~ U(−1/√fan_in, 1/√fan_in) with the same fan_in.
 * (The chapter's framework writes MSRA as `sqrt(2/n_in*n_out)`, which parses as √(2·n_out/n_in):
 * an operator-precedence slip; the intended He std is √(2/n_in). Not copied here.)
 */
export function kaimingUniformBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/** A leaf tensor with values U(−bound, bound) that requires grad. */
export function uniformParameter(shape: number[], bound: number, rng: Rng, dtype: DType = 'float32'): Tensor {
  return rand(shape, { rng, dtype, low: -bound, high: bound, requiresGrad: true });
}
