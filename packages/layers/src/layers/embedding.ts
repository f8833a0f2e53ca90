// Embedding: a lookup table weight [numEmbeddings, embeddingDim] ~ N(0, 1); indices of any shape S
// give [...S, embeddingDim]. The paddingIdx row starts at zero and gets no gradient, as PyTorch's.
import { ConvgradError, eq, indexSelect, randn, reshape, Tensor, tensor, where, type Index } from '@convgrad/core';
import { rngFrom, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';

export interface EmbeddingOptions extends InitOptions {
  /** A row (negative counts from the end) that stays fixed: zero at init, never updated. */
  paddingIdx?: number;
}

const UNSUPPORTED = ['maxNorm', 'normType', 'scaleGradByFreq', 'sparse'];

export class Embedding extends Module<[Index], Tensor> {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const key of Object.keys(options ?? {})) {
      if (UNSUPPORTED.includes(key)) throw new ConvgradError('Embedding', `option '${key}' is not implemented`);
    }
    checkLayerOptions(options, ['paddingIdx', 'seed', 'rng', 'dtype'], 'Embedding');
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ConvgradError('Embedding', `${name} must be a positive integer, got ${v}`);
    }
    const p = options.paddingIdx;
    if (p !== undefined && !(Number.isInteger(p) && p >= -numEmbeddings && p < numEmbeddings)) {
      throw new ConvgradError('Embedding', `paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}), got ${p}`);
    }
    this.paddingIdx = p === undefined ? null : p < 0 ? p + numEmbeddings : p;
    const w = randn([numEmbeddings, embeddingDim], { rng: rngFrom(options), dtype: options.dtype ?? 'float32' });
    if (this.paddingIdx !== null) w.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    w.requiresGrad = true;
    this.weight = this.registerParameter('weight', w)!;
  }

  /** Integer indices (a Tensor of any shape, an Int32Array or a number[]) → [...shape, embeddingDim]. */
  forward(indices: Index): Tensor {
    const shape = indices instanceof Tensor ? indices.shape : [indices.length];
    const flat = indices instanceof Tensor ? reshape(indices, [indices.size]) : indices;
    let rows = indexSelect(this.weight, 0, flat);
    const pad = this.paddingIdx;
    if (pad !== null) {
      const ids = flat instanceof Tensor ? flat : tensor(Array.from(flat));
      const isPad = reshape(eq(ids, pad), [ids.size, 1]);
      rows = where(isPad, indexSelect(this.weight.detach(), 0, flat), rows); // padding rows: value, no gradient
    }
    return reshape(rows, [...shape, this.embeddingDim]);
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
