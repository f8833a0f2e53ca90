// Output arrays that a kernel overwrites whole need no zero fill: `allocateEmpty` (tensor.ts) gets them
// without one (PyTorch's torch.empty). What they hold before the kernel writes is unspecified; tests
// make it NaN ('nan'), so an element a kernel forgets to write shows up instead of passing as a stale 0.
import { check } from './errors.ts';
import { fmtArg } from './validate.ts';

/** 'none': whatever the memory held (fast); 'zero': zero-filled (as `allocate`); 'nan': NaN-filled (tests). */
export type UninitializedFill = 'none' | 'zero' | 'nan';

let fill: UninitializedFill = 'none';

/** Sets how `allocateEmpty` fills its arrays; returns the previous setting. */
export function setUninitializedFill(mode: UninitializedFill): UninitializedFill {
  check(mode === 'none' || mode === 'zero' || mode === 'nan', 'setUninitializedFill', () => `mode must be 'none', 'zero' or 'nan', got ${fmtArg(mode)}`);
  const prev = fill;
  fill = mode;
  return prev;
}

export function uninitializedFill(): UninitializedFill {
  return fill;
}
