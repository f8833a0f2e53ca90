// Entry points of convgrad's wasm kernels. All memory is managed by the JS side (../arena.ts):
// kernels read i32 job descriptors and raw pointers, allocate nothing, and never trap on data.
import { col2imFusedRun, col2imFusedUnits, col2imRun, col2imUnits } from './col2im';
import { depthwise } from './depthwise';
import { dotRun, dotUnits } from './dot';
import * as L from './layout';
import { gather4, prepImage } from './prep';
import { rowSums } from './rowsums';
import { scanNonzero } from './scan';
import { sparseDwRowsRun, sparseDwRowsUnits, sparseDwRun, sparseDwUnits, sparseList, sparsePrep } from './sparse-dw';
import { sparseInputListPooled, sparseListPooled } from './sparse-pooled';
import { sparseDxRun, sparseDxUnits, sparseInputList, sparseWeights } from './sparse-dx';
import { packA, wideRun, wideUnits } from './wide';
import { winoFilterRun, winoFilterUnits, winoRun, winoUnits } from './winograd';
import { winoDwFinalRun, winoDwFinalUnits, winoDwRun, winoDwUnits } from './winograd-dw';

export { depthwise, gather4, packA, rowSums, scanNonzero, sparseInputList, sparseInputListPooled, sparseList, sparseListPooled, sparsePrep, sparseWeights };
import { smoothRun, smoothUnits } from './elementwise';
export { binary, leakyRelu, relu, smooth, smoothGrad, stepScale } from './elementwise';
export { adam, sgd } from './optim';
export { bnGradSums, bnMap, bnStats } from './batchnorm';
export { avgPool, maxPool2x2, maxPoolWindows, pooledSums, scatterAddFlat } from './pooling';
export { logSoftmaxBackRows, logSoftmaxRows } from './softmax';

export const KIND_WIDE = 1;
export const KIND_DOT = 2;
export const KIND_PREP = 3; // units are images
export const KIND_COL2IM = 4;
export const KIND_COL2IM_FUSED = 5; // GEMM + col2im per image (col2im.ts); the col2im descriptor follows the GEMM's
export const KIND_SPARSE_DW = 6; // weight gradient over δ's non-zeros (sparse-dw.ts)
export const KIND_SPARSE_DX = 7; // input gradient over δ's non-zeros (sparse-dx.ts)
export const KIND_SPARSE_DW_ROWS = 8; // the weight gradient's rows form for few images (sparse-dw.ts)
export const KIND_SMOOTH = 20; // elementwise.ts: GELU/SiLU over element chunks
export const KIND_SMOOTH_GRAD = 21;
export const KIND_WINO = 10; // Winograd F(4×4, 3×3) conv (kinds 10–19: winograd.ts)
export const KIND_WINO_FILTER = 11; // its weight transform
export const KIND_WINO_DW = 12; // its weight-gradient form (winograd-dw.ts): partial sums per unit
export const KIND_WINO_DW_FINAL = 13; // … added up and transformed back

/** Layout version of the descriptors; the loader refuses a build whose version differs from its own. */
export function abiVersion(): i32 {
  return L.ABI_VERSION;
}

/** First free byte after the module's static data; the JS arena starts above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Runs units [from, to) of a job. Called by the main thread and by workers with disjoint ranges. */
export function run(kind: i32, d: usize, from: i32, to: i32): void {
  if (kind == KIND_WIDE) wideRun(d, from, to);
  else if (kind == KIND_DOT) dotRun(d, from, to);
  else if (kind == KIND_COL2IM) col2imRun(d, from, to);
  else if (kind == KIND_COL2IM_FUSED) col2imFusedRun(d, from, to);
  else if (kind == KIND_SPARSE_DW) sparseDwRun(d, from, to);
  else if (kind == KIND_SPARSE_DX) sparseDxRun(d, from, to);
  else if (kind == KIND_SPARSE_DW_ROWS) sparseDwRowsRun(d, from, to);
  else if (kind == KIND_SMOOTH || kind == KIND_SMOOTH_GRAD) smoothRun(d, from, to, kind == KIND_SMOOTH_GRAD);
  else if (kind == KIND_WINO) winoRun(d, from, to);
  else if (kind == KIND_WINO_FILTER) winoFilterRun(d, from, to);
  else if (kind == KIND_WINO_DW) winoDwRun(d, from, to);
  else if (kind == KIND_WINO_DW_FINAL) winoDwFinalRun(d, from, to);
  else for (let n = from; n < to; n++) prepImage(d, n);
}

/** Number of work units of a job. */
export function units(kind: i32, d: usize): i32 {
  if (kind == KIND_WIDE) return wideUnits(d);
  if (kind == KIND_DOT) return dotUnits(d);
  if (kind == KIND_COL2IM) return col2imUnits(d);
  if (kind == KIND_COL2IM_FUSED) return col2imFusedUnits(d);
  if (kind == KIND_SPARSE_DW) return sparseDwUnits(d);
  if (kind == KIND_SPARSE_DX) return sparseDxUnits(d);
  if (kind == KIND_SPARSE_DW_ROWS) return sparseDwRowsUnits(d);
  if (kind == KIND_SMOOTH || kind == KIND_SMOOTH_GRAD) return smoothUnits(d);
  if (kind == KIND_WINO) return winoUnits(d);
  if (kind == KIND_WINO_FILTER) return winoFilterUnits(d);
  if (kind == KIND_WINO_DW) return winoDwUnits(d);
  if (kind == KIND_WINO_DW_FINAL) return winoDwFinalUnits(d);
  return load<i32>(d + (<usize>L.N << 2));
}
