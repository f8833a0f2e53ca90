// Field indices of the i32 job descriptors read by the wasm kernels; must match as/layout.ts, where
// each field is described. Pointers and strides are in bytes.
export const F = {
  X: 0, CH: 1, SH: 2, SW: 3, H: 4, W: 5, SY0: 6, SYS: 7, SX0: 8, SXS: 9,
  PT: 10, PL: 11, P: 12, HP: 13, WQ: 14, B: 15, BIMG: 16, PREP: 17,
  N: 18, O: 19, OH: 20, OW: 21, K: 22, APACK: 23, OFF: 24, BROW: 25,
  OUT: 26, OIMG: 27, OCH: 28, OROW: 29, OCS: 30, BIAS: 31, ACC: 32,
  KH: 33, KW: 34, KROW: 35, CSTR: 36, WT: 37, POS: 38, FLAGS: 39,
} as const;
export const FIELDS = 40;

/** Job kinds of the wasm `run` export. */
export const KIND_WIDE = 1;
export const KIND_DOT = 2;
export const KIND_PREP = 3;

/** Bytes every buffer gets past its end: tiles read (never write) up to 16 floats beyond a row. */
export const SLACK = 256;
