// Entry points of convgrad's wasm kernels. All memory is managed by the JS side (../memory.ts):
// kernels read i32 job descriptors and raw pointers, allocate nothing, and never trap on data.
import { dotRun, dotUnits } from './dot';
import { prepImage } from './prep';
import { packA, wideRun, wideUnits } from './wide';

export { packA, prepImage };

export const KIND_WIDE = 1;
export const KIND_DOT = 2;

/** First free byte after the module's static data; the JS arena starts above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Number of work units of a job (threads split [0, units)). */
export function units(kind: i32, d: usize): i32 {
  return kind == KIND_WIDE ? wideUnits(d) : dotUnits(d);
}

/** Runs units [from, to) of a job. Called by the main thread and by workers with disjoint ranges. */
export function run(kind: i32, d: usize, from: i32, to: i32): void {
  if (kind == KIND_WIDE) wideRun(d, from, to);
  else dotRun(d, from, to);
}
