// conv2d, max pooling and optionally ReLU as one graph node, Y = [relu] maxPool(W ⋆ A + b): the conv's
// output Z is never stored (layers' Sequential fuses Conv2d → MaxPool2d [→ ReLU] this way in training).
// Same values as relu(maxPool2d(conv2d(x, w, b, conv), kernel, pool)), the same checks and messages.
// Backward: ReLU's rule on the output (Y > 0 ⟺ the pooled value > 0), the pool's (δZ = δ scattered to each
// window's argmax), then the conv's (17.3), with db = Σ δ over N, H, W taken before the scatter: it moves
// each value within its channel, so Σ δZ is the same (eq. 13). A first-order backward does the mask, the
// scatter and the sums in one pass, or on wasm lists δZ's non-zeros straight from δ and the argmax for the
// sparse dX and dW kernels (kernels/wasm/conv-pool-grad.ts), δZ never built; with createGraph it is the
// same rule in graph ops.
import { isGradEnabled, record } from '../autograd.ts';
import { check } from '../errors.ts';
import { getBackend, type PooledGrad, type PooledInputGrad, type PooledWeightGrad } from '../kernels/backend.ts';
import type { Conv2dGeometry } from '../kernels/conv2d.ts';
import { maxPool2dForward, maxPoolAdjointSums } from '../kernels/pool.ts';
import { withLatticeOutputs } from '../lattice.ts';
import { leakyReluMap } from '../kernels/unary.ts';
import { allocate, allocateEmpty, Tensor } from '../tensor.ts';
import { checkOptions, fmtArg } from '../validate.ts';
import { stepGrad } from './activations.ts';
import { convArgs, convGeometry, convGrads, convKernel, type Conv2dOptions, type ConvConfig } from './conv2d.ts';
import { scatterAdd } from './indexing.ts';
import { maxPoolGeometry, type MaxPool2dOptions, poolOutShape } from './pool.ts';
import { sum } from './reduce.ts';
import { permute } from './shape.ts';
import { pad2d, rot180 } from './spatial.ts';

export interface ConvPoolOptions {
  /** conv2d's options (default {}). */
  conv?: Conv2dOptions;
  /** maxPool2d's kernel size (required). */
  kernel: number | readonly number[];
  /** maxPool2d's options (default {}). */
  pool?: MaxPool2dOptions;
  /** ReLU after the pool (default false). */
  relu?: boolean;
}

const OPTIONS = ['conv', 'kernel', 'pool', 'relu'];

/**
 * The conv's dX and dW (17.3: eq. 14 and eq. 11, as convInputGrad and convWeightGrad build them) for a
 * stride-1, undilated, ungrouped conv with P ≤ K − 1 whose δ is max pooling's scatter of `d`, on a backend
 * that lists δ's non-zeros from d, with db's channel sums into `sums` when given (then dW is needed too);
 * null (nothing computed) to build δ instead.
 */
function pooledGrads(x: Tensor, w: Tensor, g: Conv2dGeometry, cfg: ConvConfig, d: PooledGrad, sums: Float64Array | null): (Tensor | null)[] | null {
  const be = getBackend();
  const [ph, pw] = cfg.padding;
  const plain = cfg.groups === 1 && [...cfg.stride, ...cfg.dilation].every((v) => v === 1) && ph <= g.kh - 1 && pw <= g.kw - 1;
  if (!plain || !be.convPoolGrads) return null;
  return withLatticeOutputs(() => {
    // dX = pad(δ, K − 1 − P) ⋆ rot180(Wᵀ), the crop folded into the padding (convInputGrad)
    const pad = [g.kh - 1 - ph, g.kw - 1 - pw] as const;
    const dx: PooledInputGrad | null = x.requiresGrad ? {
      w: rot180(permute(w, [1, 0, 2, 3])).data, pad, out: allocateEmpty(x.dtype, g.n * g.c * g.h * g.w),
      g: { n: g.n, c: g.o, h: g.oh + 2 * pad[0], w: g.ow + 2 * pad[1], o: g.c, kh: g.kh, kw: g.kw, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: g.h, ow: g.w },
    } : null;
    // dW = X ⋆ δ with batch and channels swapped (convWeightGrad); xt: [Cin, N, Hp, Wp]
    const xt = w.requiresGrad || sums ? permute(pad2d(x, [ph, ph, pw, pw]), [1, 0, 2, 3]) : null;
    const dw: PooledWeightGrad | null = xt ? {
      x: xt.lattice ?? xt.data, sums, out: allocateEmpty(w.dtype, g.c * g.o * g.kh * g.kw),
      g: { n: g.c, c: g.n, h: g.h + 2 * ph, w: g.w + 2 * pw, o: g.o, kh: g.oh, kw: g.ow, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: g.kh, ow: g.kw },
    } : null;
    if (!be.convPoolGrads!(d, dx, dw)) return null;
    return [
      dx && new Tensor(dx.out, x.shape),
      dw && w.requiresGrad ? permute(new Tensor(dw.out, [g.c, g.o, g.kh, g.kw]), [1, 0, 2, 3]) : null,
    ];
  });
}

export function conv2dMaxPool2d(x: Tensor, w: Tensor, b: Tensor | null | undefined, options: ConvPoolOptions): Tensor {
  check(typeof options === 'object' && options !== null, 'conv2dMaxPool2d', () => `options must be an object with at least kernel, got ${fmtArg(options)}`);
  checkOptions(options, 'conv2dMaxPool2d', OPTIONS);
  const relu = options.relu ?? false;
  check(typeof relu === 'boolean', 'conv2dMaxPool2d', () => `relu must be a boolean, got ${fmtArg(options.relu)}`);
  const a = convArgs(x, w, b, options.conv ?? {});
  const g = convGeometry(a.x, a.w, a.b, a.cfg);
  const zShape = [g.n, g.o, g.oh, g.ow];
  const { g: pg, attrs } = maxPoolGeometry({ planes: g.n * g.o, h: g.oh, w: g.ow }, zShape, options.kernel, options.pool ?? {});
  const shape = poolOutShape(zShape, pg);
  const out = allocateEmpty(a.x.dtype, pg.planes * shape[2] * shape[3]);
  const argmax = new Int32Array(out.length);
  const be = getBackend();
  const whole = !a.x.lattice && !a.w.lattice && a.cfg.groups === 1;
  if (!(whole && be.conv2dMaxPool2d?.(a.x.data, a.w.data, a.b ? a.b.data : null, g, pg, relu, out, argmax))) {
    const z = allocateEmpty(a.x.dtype, g.n * g.o * g.oh * g.ow);
    convKernel(a.x, a.w, a.b, g, a.cfg, z);
    if (!be.maxPool2dForward?.(z, pg, out, argmax)) maxPool2dForward(z, pg, out, argmax);
    if (relu) leakyReluMap(out, 0, out);
  }
  const y = new Tensor(out, shape);
  const inputs = a.b ? [a.x, a.w, a.b] : [a.x, a.w];
  return record(y, 'conv2dMaxPool2d', inputs, (dy) => {
    if (isGradEnabled()) {
      // createGraph: in graph ops, so the gradients can be differentiated again
      const d = relu ? stepGrad(dy, y, 0) : dy;
      return convGrads(scatterAdd(d, argmax, zShape), a.x, a.w, a.b, g, a.cfg, () => sum(d, [0, 2, 3]));
    }
    const sums = new Float64Array(g.o);
    const biasGrad = () => {
      const db = allocate(dy.dtype, g.o);
      db.set(sums);
      return new Tensor(db, [g.o]);
    };
    const pooled = { dy: dy.data, y: relu ? out : null, argmax, ph: shape[2], pw: shape[3] };
    // dX, dW and db from the pooled gradient, δ never built (wasm)
    const grads = pg.plain2x2 ? pooledGrads(a.x, a.w, g, a.cfg, pooled, a.b?.requiresGrad ? sums : null) : null;
    if (grads) return [...grads, ...(a.b ? [a.b.requiresGrad ? biasGrad() : null] : [])];
    // the same values in one pass over δ: no masked copy of it, and its channel sums on the way
    const dz = allocate(dy.dtype, g.n * g.o * g.oh * g.ow);
    maxPoolAdjointSums(dy.data, pooled.y, argmax, shape[2] * shape[3], dz, sums);
    return convGrads(new Tensor(dz, zShape), a.x, a.w, a.b, g, a.cfg, biasGrad);
  }, { ...a.cfg, pool: attrs, relu }, relu ? [a.x, a.w, y] : [a.x, a.w]);
}
