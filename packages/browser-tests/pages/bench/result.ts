// What the bench page reports (window.__convgradResult) to `pnpm bench:browser`.
import type { Row } from '../../../core/bench/table.ts';

export interface BenchResult {
  error?: string;
  crossOriginIsolated: boolean;
  userAgent: string;
  hardwareConcurrency: number;
  /** Header lines: builds, SIMD, threads of both implementations. */
  notes: string[];
  /** "case b convgrad wasm vs tfjs-wasm: dX 1e-7, dW …, db … ok" per case. */
  checks: string[];
  /** Some implementation disagreed on a gradient (the times are then not comparable). */
  mismatch: boolean;
  rows: Row[];
  /** How each implementation got its gradients, per implementation. */
  hows: Record<string, string>;
  /** The Node bench's markdown table (packages/core/bench/table.ts). */
  table: string;
}
