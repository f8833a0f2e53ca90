// DataLoader: batches of a dataset, in order or in a seeded shuffled order (a fresh permutation drawn
// from the loader's generator at the start of every pass), optionally transforming each item, collated
// into tensors. `for (const batch of loader)`; `loader.length` is the number of batches per pass.
import { ConvgradError, Rng } from '@convgrad/core';
import { rngFrom } from '../init.ts';
import { describeValue } from '../describe-value.ts';
import { defaultCollate } from './collate.ts';
import type { Dataset, GatherableDataset } from './dataset.ts';

export interface DataLoaderOptions<T, U = T, B = unknown> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** A new random order every pass (default false). */
  shuffle?: boolean;
  /** The generator the order is drawn from (save its state to resume exactly); or `seed` for a new one. */
  generator?: Rng;
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Applied to every item before collation (e.g. normalization, augmentation). */
  transform?: (item: T, index: number) => U;
  /** Turns a list of (transformed) items into a batch (default: defaultCollate). */
  collate?: (items: U[]) => B;
}

const KNOWN = ['batchSize', 'shuffle', 'generator', 'seed', 'dropLast', 'transform', 'collate'];

export class DataLoader<T, U = T, B = any> implements Iterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** Draws the order of each pass when shuffling (default: the shared layer generator, see manualSeed). */
  readonly generator: Rng;
  private readonly transform?: (item: T, index: number) => U;
  private readonly collate?: (items: U[]) => B;

  constructor(readonly dataset: Dataset<T>, options: DataLoaderOptions<T, U, B> = {}) {
    const op = 'DataLoader';
    if (typeof dataset !== 'object' || dataset === null || typeof dataset.get !== 'function' || !Number.isSafeInteger(dataset.length) || dataset.length < 0) {
      throw new ConvgradError(op, `dataset must have an integer length and a get(index) method, got ${describeValue(dataset)}`);
    }
    if (typeof options !== 'object' || options === null) throw new ConvgradError(op, `options must be an object, got ${describeValue(options)}`);
    for (const k of Object.keys(options)) if (!KNOWN.includes(k)) throw new ConvgradError(op, `unknown option '${k}' (known: ${KNOWN.join(', ')})`);
    const { batchSize = 1, shuffle = false, dropLast = false, generator, seed, transform, collate } = options;
    if (!(Number.isSafeInteger(batchSize) && batchSize > 0)) throw new ConvgradError(op, `batchSize must be a positive integer, got ${describeValue(batchSize)}`);
    if (typeof shuffle !== 'boolean') throw new ConvgradError(op, `shuffle must be true or false, got ${describeValue(shuffle)}`);
    if (typeof dropLast !== 'boolean') throw new ConvgradError(op, `dropLast must be true or false, got ${describeValue(dropLast)}`);
    if (generator !== undefined && !(generator instanceof Rng)) throw new ConvgradError(op, `generator must be an Rng, got ${describeValue(generator)}`);
    if (seed !== undefined && !(Number.isSafeInteger(seed))) throw new ConvgradError(op, `seed must be an integer, got ${describeValue(seed)}`);
    if (generator !== undefined && seed !== undefined) throw new ConvgradError(op, 'give generator or seed, not both');
    for (const [k, f] of [['transform', transform], ['collate', collate]] as const) {
      if (f !== undefined && typeof f !== 'function') throw new ConvgradError(op, `${k} must be a function, got ${describeValue(f)}`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = rngFrom({ rng: generator, seed });
    this.transform = transform;
    this.collate = collate;
  }

  /** Batches per pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The item order of a new pass (shuffling advances the generator). */
  private order(): Uint32Array {
    const order = Uint32Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.shuffle) this.generator.shuffle(order);
    return order;
  }

  *[Symbol.iterator](): Iterator<B> {
    const order = this.order();
    const n = this.length, bs = this.batchSize;
    const gather = !this.transform && !this.collate && typeof (this.dataset as unknown as Partial<GatherableDataset>).gather === 'function';
    for (let b = 0; b < n; b++) {
      const indices = order.subarray(b * bs, Math.min(order.length, (b + 1) * bs));
      if (gather) {
        yield (this.dataset as unknown as GatherableDataset).gather(indices) as B;
        continue;
      }
      const items = Array.from(indices, (i) => {
        const item = this.dataset.get(i);
        return this.transform ? this.transform(item, i) : (item as unknown as U);
      });
      yield (this.collate ? this.collate(items) : defaultCollate(items)) as B;
    }
  }
}
