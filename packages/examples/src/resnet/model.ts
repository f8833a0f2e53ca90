// A small residual network for 28×28 digits, built from @convgrad/layers:
//   stem 'pool':   conv 5×5 (1 → s, padding 2) → max-pool 2                                    14×14
//   stem 'stride': conv 5×5 stride 2 (1 → s, padding 2) → GELU                                 14×14
//   then `stemBlocks` residual blocks at 14×14 (default none)
//   `stages` downsampling stages, stage k (k = 1, 2, …) at width w·2^(k−1):
//     down 'dense':     a full 3×3 stride-2 conv → norm → GELU                                 7×7, 4×4
//     down 'separable': depthwise 3×3 stride 2 (groups = channels) → pointwise 1×1 → norm → GELU
//     then `blocks` residual blocks
//   residual block: x + norm(pw(GELU(norm(dw(x))))), dw = depthwise 3×3 (groups = C), pw = 1×1
//   head: global average pooling → flatten → linear (→ 10 logits)
// Convs followed by a norm have no bias (the norm's shift replaces it). On this framework the
// elementwise passes over activations (norm, GELU, pooling, each with its own allocation), not the
// convolutions, dominate an epoch, so the network leaves 28×28 in its first layer and does its
// residual work at 7×7 and 4×4. The pooled stem has no activation of its own: a max over a 2×2
// window of conv outputs is already a nonlinear (maxout) unit, and 14×14 GELU passes were the
// largest single cost in a profile. The downsampling convs are full 3×3 convs by default: they cost
// MACs but no extra elementwise pass (≈ 1.05× the time of an epoch with separable ones) and give the
// net most of its weights, where the separable stride-2 path (each channel downsampled alone) was
// what limited its accuracy.
import { add, Rng, type Tensor } from '@convgrad/core';
import {
  BatchNorm2d, Conv2d, Flatten, GELU, GlobalAvgPool2d, GroupNorm, Linear, MaxPool2d, Module, Sequential,
} from '@convgrad/layers';

export interface ResNetSpec {
  /** Channels of the stem at 14×14. */
  stemWidth: number;
  /** Residual blocks at 14×14 after the stem, at the stem's width. */
  stemBlocks: number;
  /** Channels of the first stage (stage k has width·2^(k−1)). */
  width: number;
  /** Residual blocks per stage. */
  blocks: number;
  /** Downsampling stages after the stem (1: down to 7×7; 2: down to 4×4). */
  stages: number;
  /** Each stage's downsampling: 'separable' (depthwise 3×3 stride 2 → pointwise 1×1) or 'dense' (a full 3×3 stride-2 conv). */
  down: 'separable' | 'dense';
  /** 'stride': a stride-2 stem conv; 'pool': a stride-1 stem conv then max-pool 2. */
  stem: 'stride' | 'pool';
  norm: 'batch' | 'group';
}

export const RESNET_SPEC: ResNetSpec = { stemWidth: 32, stemBlocks: 0, width: 48, blocks: 1, stages: 2, down: 'dense', stem: 'pool', norm: 'batch' };

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

/** Side of the feature map after stage k (28 → 14 → 7 → 4). */
const side = (k: number) => [14, 7, 4, 2][k];

/** A fresh model; every parameter drawn from one generator seeded with `seed`. */
export function buildResNet(spec: ResNetSpec, seed: number): Sequential {
  const rng = new Rng(seed);
  const w = spec.stemWidth;
  const layers: Module[] = spec.stem === 'stride'
    ? [new Conv2d(1, w, 5, { stride: 2, padding: 2, rng }), new GELU()]
    : [new Conv2d(1, w, 5, { padding: 2, rng }), new MaxPool2d(2)];
  for (let b = 0; b < spec.stemBlocks; b++) layers.push(new ResidualBlock(w, spec, rng));
  let c = w;
  for (let k = 1; k <= spec.stages; k++) {
    const next = spec.width * 2 ** (k - 1);
    if (spec.down === 'dense') layers.push(new Conv2d(c, next, 3, { stride: 2, padding: 1, bias: false, rng }));
    else layers.push(depthwise(c, 2, rng), pointwise(c, next, rng));
    layers.push(norm(spec, next), new GELU());
    c = next;
    for (let b = 0; b < spec.blocks; b++) layers.push(new ResidualBlock(c, spec, rng));
  }
  layers.push(new GlobalAvgPool2d(), new Flatten(), new Linear(c, 10, { rng }));
  return new Sequential(...layers);
}

/** Multiply-accumulates of the convolutions and the linear layer per image. */
export function forwardMacs(spec: ResNetSpec): number {
  const w = spec.stemWidth;
  let macs = w * 25 * (spec.stem === 'stride' ? 14 * 14 : 28 * 28) + spec.stemBlocks * (w * 9 + w * w) * 14 * 14;
  let c = w;
  for (let k = 1; k <= spec.stages; k++) {
    const px = side(k) ** 2;
    const next = spec.width * 2 ** (k - 1);
    macs += spec.down === 'dense' ? c * next * 9 * px : c * 9 * px + c * next * px; // downsampling
    c = next;
    macs += spec.blocks * (c * 9 * px + c * c * px);
  }
  return macs + c * 10;
}

export function describe(spec: ResNetSpec): string {
  const n = spec.norm === 'batch' ? 'BN' : 'GN';
  const stem = spec.stem === 'stride' ? `conv5x5/2(${spec.stemWidth}) → GELU` : `conv5x5(${spec.stemWidth}) → pool2`;
  const stages = Array.from({ length: spec.stages }, (_, i) => {
    const c = spec.width * 2 ** i;
    const down = spec.down === 'dense' ? `conv3x3/2(${c})` : `dw3x3/2 → pw(${c})`;
    return `${down} → ${n} → GELU → ${spec.blocks}× res(dw3x3 → ${n} → GELU → pw → ${n}) [${side(i + 1)}×${side(i + 1)}]`;
  });
  const stemBlocks = spec.stemBlocks > 0 ? ` → ${spec.stemBlocks}× res(dw3x3 → ${n} → GELU → pw → ${n})` : '';
  return [`${stem}${stemBlocks} [14×14]`, ...stages, 'global avg pool → FC10'].join(' → ');
}
