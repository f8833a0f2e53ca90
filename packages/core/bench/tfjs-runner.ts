// TensorFlow.js side of the benchmark: conv2d forward and forward+backward on tfjs-backend-cpu and
// tfjs-backend-wasm (NHWC, tfjs's native layout; same values and FLOPs as convgrad's NCHW case).
//
// tfjs's CommonJS build (the one Node loads) registers no gradients, so tf.grad cannot differentiate
// conv2d here; the backward is run as the kernels its Conv2D gradient would call:
//   dX = runKernel('Conv2DBackpropInput'), dW = runKernel('Conv2DBackpropFilter'), db = sum(dy).
// tfjs-backend-wasm has no Conv2DBackpropFilter kernel; there dW is computed on wasm as the correlation
// conv2d(xᵀ, dyᵀ, dilation = stride) (batch and channels swapped), the identity behind eq. 11. Its
// Conv2DBackpropInput kernel is much slower than its conv2d, so dX is also computed the other way
// (conv2d of the dilated, padded dy with the flipped filter, eq. 8) and the faster is used: the
// baseline is tfjs-wasm at its best.
// Environment-neutral (also bundled into the browser bench page, packages/browser-tests): loading tfjs
// in Node is tfjs-load.ts.
import { outSize, type ConvCase } from './cases.ts';
import { sample, timeInterleaved } from './timing.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tf = any;

export type TfjsBackend = 'cpu' | 'wasm';

export interface TfjsLoaded {
  readonly tf: Tf;
  readonly backends: TfjsBackend[];
  /** One line per backend: version, SIMD/threads, problems. */
  readonly notes: string[];
}

/** Runs fn with console.log/warn silenced (tfjs prints an "install tfjs-node" banner when a backend starts). */
export async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const { log, warn } = console;
  console.log = console.warn = () => {};
  try {
    return await fn();
  } finally {
    Object.assign(console, { log, warn });
  }
}

export interface Runner {
  forward(): void;
  train(): void;
  /** dX [N,Cin,H,W], dW [Cout,Cin,KH,KW], db [Cout] in convgrad's layouts, for the cross-check. */
  grads(): { dx: Float32Array; dw: Float32Array; db: Float32Array };
  /** How the gradient was obtained. */
  readonly how: string;
  dispose(): void;
}

/** NCHW → NHWC (or [Cout,Cin,KH,KW] → [KH,KW,Cin,Cout] with transposeFilter). */
function toNhwc(v: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++)
    out[((i * h + y) * w + x) * c + ch] = v[((i * c + ch) * h + y) * w + x];
  return out;
}

function fromNhwc(v: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++)
    out[((i * c + ch) * h + y) * w + x] = v[((i * h + y) * w + x) * c + ch];
  return out;
}

/** [Cout, Cin, KH, KW] ↔ [KH, KW, Cin, Cout]. */
function filterToTf(v: Float32Array, o: number, c: number, k: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let oc = 0; oc < o; oc++) for (let ic = 0; ic < c; ic++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++)
    out[((i * k + j) * c + ic) * o + oc] = v[((oc * c + ic) * k + i) * k + j];
  return out;
}

function filterFromTf(v: Float32Array, o: number, c: number, k: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let oc = 0; oc < o; oc++) for (let ic = 0; ic < c; ic++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++)
    out[((oc * c + ic) * k + i) * k + j] = v[((i * k + j) * c + ic) * o + oc];
  return out;
}

export async function tfjsRunner(
  loaded: TfjsLoaded, backend: TfjsBackend, c: ConvCase,
  data: { x: Float32Array; w: Float32Array; b: Float32Array; g: Float32Array },
): Promise<Runner> {
  const { tf } = loaded;
  await quietly(() => tf.setBackend(backend));
  // Each benchmark worker loads one backend; every call still checks it is the selected one.
  const use = () => {
    if (tf.getBackend() !== backend) tf.setBackend(backend);
    if (tf.getBackend() !== backend) throw new Error(`tfjs: could not switch to ${backend}`);
  };
  const [oh, ow] = outSize(c);
  const x = tf.tensor4d(toNhwc(data.x, c.n, c.cin, c.h, c.w), [c.n, c.h, c.w, c.cin]);
  const w = tf.tensor4d(filterToTf(data.w, c.cout, c.cin, c.k), [c.k, c.k, c.cin, c.cout]);
  const b = tf.tensor1d(data.b);
  const dy = tf.tensor4d(toNhwc(data.g, c.n, c.cout, oh, ow), [c.n, oh, ow, c.cout]);
  const strides: [number, number] = [c.stride, c.stride];
  const pad = c.pad;
  const hasFilterKernel = tf.getKernel('Conv2DBackpropFilter', backend) !== undefined;

  const forward = () => tf.fused.conv2d({ x, filter: w, strides, pad, bias: b });
  const inputKernel = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w },
    { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x.shape });
  const inputByConv = () => {
    // dX = crop_p( conv2d( pad(dilate(dy, s), K−1 + remainder), flip(W) with Cin/Cout swapped ) )
    const [s, k] = [c.stride, c.k];
    let d = dy;
    if (s > 1) { // dilate: interleave s−1 zero rows/cols (reshape, pad, reshape, cut)
      d = tf.reshape(tf.pad(tf.reshape(d, [c.n, oh, 1, ow, 1, c.cout]), [[0, 0], [0, 0], [0, s - 1], [0, 0], [0, s - 1], [0, 0]]), [c.n, oh * s, ow * s, c.cout]);
      d = tf.slice(d, [0, 0, 0, 0], [c.n, (oh - 1) * s + 1, (ow - 1) * s + 1, c.cout]);
    }
    const fullH = c.h + 2 * pad + k - 1, fullW = c.w + 2 * pad + k - 1; // stride-1 output + 2(K−1)
    d = tf.pad(d, [[0, 0], [k - 1, fullH - (k - 1) - d.shape[1]], [k - 1, fullW - (k - 1) - d.shape[2]], [0, 0]]);
    const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]); // [KH, KW, Cout, Cin]
    return tf.slice(tf.conv2d(d, wf, 1, 'valid'), [0, pad, pad, 0], [c.n, c.h, c.w, c.cin]);
  };
  let backpropInput = inputKernel;
  let inputHow = `Conv2DBackpropInput (${backend})`;
  if (backend === 'wasm') {
    const [tk, tc] = (await timeInterleaved([() => sample(() => tf.tidy(() => { inputKernel(); })), () => sample(() => tf.tidy(() => { inputByConv(); }))], { reps: 3, budgetMs: 1500 })).map((t) => t.ms);
    if (tc < tk) {
      backpropInput = inputByConv;
      inputHow = `dX = conv2d(pad(dilate(dy)), flipped W) on wasm (${tc.toFixed(1)} ms; its Conv2DBackpropInput kernel: ${tk.toFixed(1)} ms)`;
    } else inputHow += ` (${tk.toFixed(1)} ms; conv2d of the dilated dy: ${tc.toFixed(1)} ms)`;
  }
  const backpropFilter = hasFilterKernel
    ? () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
      { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: w.shape })
    : () => {
      // dW[i, j, ci, co] = Σ_{n,oy,ox} x[n, oy·s + i − p, ox·s + j − p, ci] · dy[n, oy, ox, co]:
      // a stride-1 correlation of x (channels as batch) with dy (batch as channels), dilated by s.
      const xt = tf.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, N]
      const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Cout]
      const full = tf.conv2d(xt, dyt, 1, pad, 'NHWC', strides); // [Cin, ≥K, ≥K, Cout]
      const cut = tf.slice(full, [0, 0, 0, 0], [c.cin, c.k, c.k, c.cout]);
      return tf.transpose(cut, [1, 2, 0, 3]); // [KH, KW, Cin, Cout]
    };
  const biasGrad = () => tf.sum(dy, [0, 1, 2]);

  const how = hasFilterKernel
    ? `fused conv2d forward; runKernel ${inputHow} + Conv2DBackpropFilter (${backend}); db = sum(dy)`
    : `fused conv2d forward; ${inputHow}; dW = conv2d(xᵀ, dyᵀ, dilation=stride) on ${backend} (no Conv2DBackpropFilter kernel); db = sum(dy)`;

  return {
    how,
    forward: () => { use(); tf.tidy(() => { forward(); }); },
    train: () => { use(); tf.tidy(() => { forward(); backpropInput(); backpropFilter(); biasGrad(); }); },
    grads: () => { use(); return tf.tidy(() => ({
      dx: fromNhwc(backpropInput().dataSync(), c.n, c.cin, c.h, c.w),
      dw: filterFromTf(backpropFilter().dataSync(), c.cout, c.cin, c.k),
      db: Float32Array.from(biasGrad().dataSync()),
    })); },
    dispose: () => { use(); tf.dispose([x, w, b, dy]); },
  };
}
