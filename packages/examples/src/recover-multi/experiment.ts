// The general case of 17.3.2–17.3.6: a conv layer with several input and output channels, stride 2,
// padding 1 and a bias, recovered from (x, y) alone by gradient descent through the graph. With
// (H + 2P − K) not a multiple of the stride, the backward pass needs the dilated δ padded at the
// bottom/right (17.3.2): the last input row and column are never read by the forward pass.
import { conv2d, noGrad, rand, randn, zeros, Rng, type Conv2dOptions, type DType, type Tensor } from '@convgrad/core';
import { compareClose } from '../shared/allclose.ts';
import { fitConv, type FitConvResult } from '../shared/fit-conv.ts';

export interface RecoverMultiSettings {
  seed: number;
  lr: number;
  momentum: number;
  maxIter: number;
  tol: number;
  /** Batch of random images [N, Cin, H, W]; defaults give (H + 2P − K) mod S = 1 in both dims. */
  batch?: number;
  height?: number;
  width?: number;
  dtype?: DType;
  onProgress?: (iteration: number, loss: number) => void;
  progressEvery?: number;
  onIteration?: (iteration: number, loss: number) => void;
}

export const LAYER = { cin: 3, cout: 4, k: 3, stride: 2, padding: 1 } as const;
/** Recovery is judged with numpy.allclose at this tolerance. */
export const RECOVER_CLOSE = { atol: 1e-3, rtol: 1e-5 };

export interface RecoverMultiResult {
  x: Tensor;
  y: Tensor;
  wTrue: Tensor;
  bTrue: Tensor;
  /** The initial guess the fit started from (W ~ N(0, 0.1²), b = 0). */
  w0: Tensor;
  b0: Tensor;
  fit: FitConvResult;
  wClose: boolean;
  bClose: boolean;
  wMaxDiff: number;
  bMaxDiff: number;
}

/** (H + 2P − K) mod S: the input rows at the bottom that the last window does not reach. */
export function strideRemainder(size: number): number {
  return (size + 2 * LAYER.padding - LAYER.k) % LAYER.stride;
}

export function runRecoverMulti(s: RecoverMultiSettings): RecoverMultiResult {
  const n = s.batch ?? 8, h = s.height ?? 12, w = s.width ?? 10;
  const dtype = s.dtype ?? 'float32';
  const { cin, cout, k, stride, padding } = LAYER;
  const conv: Conv2dOptions = { stride, padding };
  const rng = new Rng(s.seed);
  const x = rand([n, cin, h, w], { rng, dtype }); // pixel values in [0, 1)
  const wTrue = randn([cout, cin, k, k], { rng, std: 0.5, dtype });
  const bTrue = rand([cout], { rng, low: -1, high: 1, dtype });
  const y = noGrad(() => conv2d(x, wTrue, bTrue, conv));
  const w0 = randn([cout, cin, k, k], { rng, std: 0.1, dtype });
  const b0 = zeros([cout], { dtype });
  const fit = fitConv({
    x, y, w0, b0, conv, lr: s.lr, momentum: s.momentum, maxIter: s.maxIter, tol: s.tol,
    onProgress: s.onProgress, progressEvery: s.progressEvery, onIteration: s.onIteration,
  });
  const wc = compareClose(fit.w.data, wTrue.data, RECOVER_CLOSE);
  const bc = compareClose(fit.b!.data, bTrue.data, RECOVER_CLOSE);
  return { x, y, wTrue, bTrue, w0, b0, fit, wClose: wc.close, bClose: bc.close, wMaxDiff: wc.maxAbsDiff, bMaxDiff: bc.maxAbsDiff };
}
