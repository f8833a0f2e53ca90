// Field indices of the i32 job descriptors read by the wasm kernels; must match as/layout.ts.
// Pointers and strides are in bytes.
export const F = {
  X: 0, CH: 1, H: 2, W: 3, PT: 4, PL: 5, P: 6, HP: 7, WQ: 8, B: 9, BIMG: 10, PREP: 11,
  N: 12, O: 13, OH: 14, OW: 15, K: 16, APACK: 17, OFF: 18, BROW: 19, OUT: 20, BIAS: 21, ACC: 22,
  KH: 23, KW: 24, KROW: 25, CSTR: 26, WT: 27, POS: 28,
} as const;
export const FIELDS = 32;

/** Job kinds of the wasm `run` export. */
export const KIND_WIDE = 1;
export const KIND_DOT = 2;

/** Bytes every buffer gets past its end: tiles read (never write) up to 16 floats beyond a row. */
export const SLACK = 256;
