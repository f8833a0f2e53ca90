// The LeNet-like CNN of the MNIST example, built from @convgrad/layers:
//   conv 5×5 (1→c1) → max-pool 2 → [BN] → ReLU → conv 5×5 (c1→c2) → max-pool 2 → [BN] → ReLU
//   → flatten (c2·4·4) → linear (→ hidden) → [BN] → ReLU → linear (→ 10 logits)
// Pooling comes before the ReLU (they commute: max is monotonic) and before BatchNorm, so both run
// on a quarter of the values. A layer followed by BatchNorm has no bias (BN's shift replaces it).
// The chapter's network is c1 = 8, c2 = 16, hidden = 32 with BatchNorm on the hidden layer only.
import { Rng } from '@convgrad/core';
import { BatchNorm1d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, type Module, ReLU, Sequential } from '@convgrad/layers';

export interface LeNetSpec {
  c1: number;
  c2: number;
  hidden: number;
  /** Where BatchNorm goes: nowhere, on the hidden layer only (as the chapter), or after every layer. */
  batchNorm: 'none' | 'hidden' | 'all';
}

export const CHAPTER_SPEC: LeNetSpec = { c1: 8, c2: 16, hidden: 32, batchNorm: 'hidden' };
export const LENET_SPEC: LeNetSpec = { c1: 16, c2: 32, hidden: 128, batchNorm: 'hidden' };

/** The networks `--model` selects. */
export const MODEL_SPECS: Readonly<Record<string, LeNetSpec>> = { lenet: LENET_SPEC, chapter: CHAPTER_SPEC };

/** A fresh model; every parameter drawn from one generator seeded with `seed`. */
export function buildLeNet(spec: LeNetSpec, seed: number): Sequential {
  const rng = new Rng(seed);
  const convBn = spec.batchNorm === 'all', fcBn = spec.batchNorm !== 'none';
  const layers: Module[] = [
    new Conv2d(1, spec.c1, 5, { rng, bias: !convBn }), // 28 → 24
    new MaxPool2d(2), // → 12
    ...(convBn ? [new BatchNorm2d(spec.c1)] : []),
    new ReLU(),
    new Conv2d(spec.c1, spec.c2, 5, { rng, bias: !convBn }), // → 8
    new MaxPool2d(2), // → 4
    ...(convBn ? [new BatchNorm2d(spec.c2)] : []),
    new ReLU(),
    new Flatten(),
    new Linear(spec.c2 * 4 * 4, spec.hidden, { rng, bias: !fcBn }),
    ...(fcBn ? [new BatchNorm1d(spec.hidden)] : []),
    new ReLU(),
    new Linear(spec.hidden, 10, { rng }),
  ];
  return new Sequential(...layers);
}

/** Multiply-accumulates of one forward pass per image (for the printed summary). */
export function forwardMacs(spec: LeNetSpec): number {
  return spec.c1 * 25 * 24 * 24 + spec.c2 * spec.c1 * 25 * 8 * 8 + spec.c2 * 16 * spec.hidden + spec.hidden * 10;
}

export function describe(spec: LeNetSpec): string {
  const bn2 = spec.batchNorm === 'all' ? ' → BN' : '', bn1 = spec.batchNorm !== 'none' ? ' → BN' : '';
  return `conv5x5(${spec.c1}) → pool2${bn2} → ReLU → conv5x5(${spec.c2}) → pool2${bn2} → ReLU → FC${spec.hidden}${bn1} → ReLU → FC10`;
}
