// The chapter's experiment (17.3.7): recover the horizontal-edge kernel from an image and its
// convolution alone, with the conv layer's backward rule on the autograd graph.
import { conv2d, noGrad, randn, tensor, type DType, type Tensor } from '@convgrad/core';
import { compareClose } from '../shared/allclose.ts';
import { fitConv, type FitConvResult } from '../shared/fit-conv.ts';
import { makeSampleImage } from './sample-image.ts';

/** The horizontal-edge detector of the chapter. */
export const W_TRUE = [[0, -1, 0], [0, 2, 0], [0, -1, 0]];

export interface EdgeKernelSettings {
  seed: number;
  lr: number;
  maxIter: number;
  tol: number;
  /** Side of the square sample image (80 in the chapter). */
  size?: number;
  dtype?: DType;
  onProgress?: (iteration: number, loss: number) => void;
  progressEvery?: number;
  onIteration?: (iteration: number, loss: number) => void;
}

export interface EdgeKernelResult {
  x: Tensor;
  y: Tensor;
  wTrue: Tensor;
  fit: FitConvResult;
  /** conv2d(x, w_result): the prediction. */
  z: Tensor;
  wClose: boolean;
  yClose: boolean;
  wMaxDiff: number;
  yMaxDiff: number;
}

/** Tolerance of the chapter's numpy.allclose check. */
export const CLOSE = { atol: 1e-2, rtol: 1e-5 };

export function runEdgeKernel(s: EdgeKernelSettings): EdgeKernelResult {
  const size = s.size ?? 80;
  const dtype = s.dtype ?? 'float32';
  const x = tensor(makeSampleImage(size), [1, 1, size, size], { dtype });
  const wTrue = tensor(W_TRUE, undefined, { dtype }).reshape([1, 1, 3, 3]);
  const y = noGrad(() => conv2d(x, wTrue)); // b = 0
  const w0 = randn([1, 1, 3, 3], { seed: s.seed, std: 0.1, dtype });
  const fit = fitConv({ x, y, w0, lr: s.lr, maxIter: s.maxIter, tol: s.tol, onProgress: s.onProgress, progressEvery: s.progressEvery, onIteration: s.onIteration });
  const z = noGrad(() => conv2d(x, fit.w));
  const wc = compareClose(fit.w.data, wTrue.data, CLOSE);
  const yc = compareClose(z.data, y.data, CLOSE);
  return { x, y, wTrue, fit, z, wClose: wc.close, yClose: yc.close, wMaxDiff: wc.maxAbsDiff, yMaxDiff: yc.maxAbsDiff };
}
