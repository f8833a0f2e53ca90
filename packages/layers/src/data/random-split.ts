// randomSplit: disjoint random subsets of given lengths (or fractions), as torch.utils.data.random_split.
import { ConvgradError, type Rng } from '@convgrad/core';
import { rngFrom } from '../init.ts';
import { describeValue } from '../describe-value.ts';
import { Subset, type Dataset } from './dataset.ts';

export interface RandomSplitOptions {
  generator?: Rng;
  seed?: number;
}

/**
 * Splits `dataset` into subsets of `lengths` items (integers summing to its length), or of fractions
 * summing to 1 (each gets ⌊f·n⌋, the remainder goes one by one to the first subsets, as PyTorch).
 * The permutation is drawn from `generator` (or a new one from `seed`; default: the shared generator).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Subset<T>[] {
  const op = 'randomSplit';
  if (typeof dataset !== 'object' || dataset === null || !Number.isSafeInteger(dataset.length)) throw new ConvgradError(op, `dataset must have an integer length, got ${describeValue(dataset)}`);
  if (!Array.isArray(lengths) || lengths.length === 0) throw new ConvgradError(op, `lengths must be a non-empty array, got ${describeValue(lengths)}`);
  for (const k of Object.keys(options)) if (k !== 'generator' && k !== 'seed') throw new ConvgradError(op, `unknown option '${k}' (known: generator, seed)`);
  const n = dataset.length;
  let sizes: number[];
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => Number.isSafeInteger(l) && l >= 0) && sum === n) {
    sizes = [...lengths];
  } else if (lengths.every((f) => typeof f === 'number' && f >= 0 && f <= 1) && Math.abs(sum - 1) < 1e-9) {
    sizes = lengths.map((f) => Math.floor(f * n));
    let rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]++;
  } else {
    throw new ConvgradError(op, `lengths must be integers ≥ 0 summing to the dataset's length ${n}, or fractions summing to 1, got ${describeValue(lengths)}`);
  }
  const { generator, seed } = options;
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new ConvgradError(op, `seed must be an integer, got ${describeValue(seed)}`);
  const order = Array.from({ length: n }, (_, i) => i);
  rngFrom({ rng: generator, seed }).shuffle(order);
  let at = 0;
  return sizes.map((s) => new Subset(dataset, order.slice(at, (at += s))));
}
