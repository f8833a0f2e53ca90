// The LeNet-like CNN of the MNIST example, built from @convgrad/layers:
//   conv 5×5 (1→c1) → ReLU → max-pool 2 → conv 5×5 (c1→c2) → ReLU → max-pool 2
//   → flatten (c2·4·4) → linear (→ hidden) → ReLU → linear (→ 10 logits)
// The chapter's network is c1 = 8, c2 = 16, hidden = 32 (with BatchNorm on the hidden layer).
import { Rng } from '@convgrad/core';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@convgrad/layers';

export interface LeNetSpec {
  c1: number;
  c2: number;
  hidden: number;
}

export const LENET_SPEC: LeNetSpec = { c1: 8, c2: 16, hidden: 32 };

/** A fresh model; every parameter drawn from one generator seeded with `seed`. */
export function buildLeNet(spec: LeNetSpec, seed: number): Sequential {
  const rng = new Rng(seed);
  return new Sequential(
    new Conv2d(1, spec.c1, 5, { rng }), // 28 → 24
    new ReLU(),
    new MaxPool2d(2), // → 12
    new Conv2d(spec.c1, spec.c2, 5, { rng }), // → 8
    new ReLU(),
    new MaxPool2d(2), // → 4
    new Flatten(),
    new Linear(spec.c2 * 4 * 4, spec.hidden, { rng }),
    new ReLU(),
    new Linear(spec.hidden, 10, { rng }),
  );
}

/** Multiply-accumulates of one forward pass per image (for the printed summary). */
export function forwardMacs(spec: LeNetSpec): number {
  return spec.c1 * 25 * 24 * 24 + spec.c2 * spec.c1 * 25 * 8 * 8 + spec.c2 * 16 * spec.hidden + spec.hidden * 10;
}

export function describe(spec: LeNetSpec): string {
  return `conv5x5(${spec.c1}) → ReLU → pool2 → conv5x5(${spec.c2}) → ReLU → pool2 → FC${spec.hidden} → ReLU → FC10`;
}
