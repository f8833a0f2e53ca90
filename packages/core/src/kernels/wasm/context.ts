// What the wasm planners share: memory, threads, exports, and counters of the paths taken.
import type { Arena } from './arena.ts';
import type { WasmExports } from './module.ts';
import type { Pool } from './pool.ts';

export interface WasmContext {
  arena: Arena;
  pool: Pool;
  exports: WasmExports;
  stats: WasmStats;
}

/** How many calls took each path (for tests and tuning). */
export interface WasmStats {
  wide: number;
  dot: number;
  /** stride-1 convs of a lattice-sparse input, split into output phases */
  phased: number;
  /** stride-1 convs of a mostly-zero input, as GEMM over its block + col2im */
  col2im: number;
  /** 3×3 stride-1 convs run as Winograd F(4×4, 3×3) (winograd.ts) */
  winograd: number;
  /** convs with a 3×3 output (weight gradients) run as Winograd backwards (winograd-dw.ts) */
  winogradWeightGrad: number;
  /** convs whose weights were gathered into a smaller or contiguous kernel */
  compactedWeights: number;
  /** operands passed as lattice views (not materialized) */
  latticeOperands: number;
  gemm: number;
  /** row-sum reductions (sum/mean over trailing axes) */
  rowSums: number;
  /** whole depthwise convs in one call (as/depthwise.ts) */
  depthwise: number;
  /** calls handed to the js kernels (float64, too large, tiny GEMMs) */
  js: number;
  /** elementwise ops and optimizer updates run here (elementwise.ts) */
  elementwise: number;
  /** stride-1 convs (input gradients) over the input block's non-zeros (sparse-dx.ts) */
  sparseInputGrad: number;
  /** weight gradients over δ's non-zeros (sparse-dw.ts) */
  sparseWeightGrad: number;
  /** … of which listed from a pooled gradient (conv-pool-grad.ts) */
  sparseWeightGradPooled: number;
  /** sparse dX listed from a pooled gradient (conv-pool-grad.ts) */
  sparseInputGradPooled: number;
  /** batch-norm kernel calls run here (batchnorm.ts) */
  batchNorm: number;
}

export function emptyStats(): WasmStats {
  return { wide: 0, dot: 0, depthwise: 0, phased: 0, col2im: 0, winograd: 0, winogradWeightGrad: 0, compactedWeights: 0, latticeOperands: 0, gemm: 0, rowSums: 0, js: 0, elementwise: 0, sparseInputGrad: 0, sparseWeightGrad: 0, sparseWeightGradPooled: 0, sparseInputGradPooled: 0, batchNorm: 0 };
}
