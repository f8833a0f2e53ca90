// A small residual network for 28×28 digits, built from @convgrad/layers:
//   stem: conv 5×5 (1 → w, padding 2) → max-pool 2 → norm → GELU                   14×14
//   stage 1: `blocks` residual blocks at width w                                   14×14
//   stage 2: a downsampling block — depthwise 3×3 stride 2 (groups = w) → pointwise 1×1 (w → 2w)
//     → norm → GELU — then `blocks` residual blocks at width 2w                    7×7
//   residual block: x + norm(pw(GELU(norm(dw(x))))), dw = depthwise 3×3 (groups = C), pw = 1×1
//   head: global average pooling → flatten → linear (→ 10 logits)
// Convs followed by a norm have no bias (the norm's shift replaces it). The stem pools before the
// norm and GELU (as the mnist example does) so they run on a quarter of the values: on this
// framework the elementwise work on activations, not the convolutions, dominates an epoch.
import { add, Rng, type Tensor } from '@convgrad/core';
import {
  BatchNorm2d, Conv2d, Flatten, GELU, GlobalAvgPool2d, GroupNorm, Linear, MaxPool2d, Module, Sequential,
} from '@convgrad/layers';

export interface ResNetSpec {
  /** Channels of the stem (stage k has width·2^k). */
  width: number;
  /** Residual blocks per stage. */
  blocks: number;
  norm: 'batch' | 'group';
}

export const RESNET_SPEC: ResNetSpec = { width: 24, blocks: 1, norm: 'batch' };

function norm(spec: ResNetSpec, c: number): Module {
  return spec.norm === 'batch' ? new BatchNorm2d(c) : new GroupNorm(Math.min(8, c / 4), c);
}

/** Depthwise 3×3 (groups = channels): one 3×3 filter per channel. */
function depthwise(c: number, stride: number, rng: Rng): Conv2d {
  return new Conv2d(c, c, 3, { stride, padding: 1, groups: c, bias: false, rng });
}

function pointwise(cin: number, cout: number, rng: Rng): Conv2d {
  return new Conv2d(cin, cout, 1, { bias: false, rng });
}

/** x + norm(pw(GELU(norm(dw(x))))): a depthwise-separable residual block at constant width. */
export class ResidualBlock extends Module {
  readonly body: Sequential;

  constructor(c: number, spec: ResNetSpec, rng: Rng) {
    super();
    this.body = new Sequential(depthwise(c, 1, rng), norm(spec, c), new GELU(), pointwise(c, c, rng), norm(spec, c));
  }

  forward(x: Tensor): Tensor {
    return add(x, this.body.call(x));
  }
}

/** A fresh model; every parameter drawn from one generator seeded with `seed`. */
export function buildResNet(spec: ResNetSpec, seed: number): Sequential {
  const rng = new Rng(seed);
  const w = spec.width;
  const layers: Module[] = [new Conv2d(1, w, 5, { padding: 2, bias: false, rng }), new MaxPool2d(2), norm(spec, w), new GELU()];
  for (let b = 0; b < spec.blocks; b++) layers.push(new ResidualBlock(w, spec, rng));
  layers.push(depthwise(w, 2, rng), pointwise(w, 2 * w, rng), norm(spec, 2 * w), new GELU());
  for (let b = 0; b < spec.blocks; b++) layers.push(new ResidualBlock(2 * w, spec, rng));
  layers.push(new GlobalAvgPool2d(), new Flatten(), new Linear(2 * w, 10, { rng }));
  return new Sequential(...layers);
}

/** Multiply-accumulates of the convolutions and the linear layer per image. */
export function forwardMacs(spec: ResNetSpec): number {
  const w = spec.width;
  const block = (c: number, hw: number) => c * 9 * hw + c * c * hw;
  return w * 25 * 28 * 28 + spec.blocks * block(w, 196) + (w * 9 * 49 + w * 2 * w * 49) + spec.blocks * block(2 * w, 49) + 2 * w * 10;
}

export function describe(spec: ResNetSpec): string {
  const w = spec.width, n = spec.norm === 'batch' ? 'BN' : 'GN';
  return `conv5x5(${w}) → pool2 → ${n} → GELU → ${spec.blocks}× res(dw3x3 → ${n} → GELU → pw → ${n}) ` +
    `→ dw3x3/2 → pw(${2 * w}) → ${n} → GELU → ${spec.blocks}× res → global avg pool → FC10`;
}
