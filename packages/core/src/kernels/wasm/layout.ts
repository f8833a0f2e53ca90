// Field indices of the i32 job descriptors read by the wasm kernels; must match as/layout.ts, where
// each field is described. Pointers and strides are in bytes.
export const ABI_VERSION = 16;
export const F = {
  X: 0, SIMG: 1, SCH: 2, SROW: 3, SCOL: 4, CH: 5, H: 6, W: 7, FY: 8, SY: 9, FX: 10, SX: 11,
  PT: 12, PL: 13, P: 14, HP: 15, WQ: 16, B: 17, BIMG: 18, PREP: 19, DONE_AT: 20,
  N: 21, O: 22, OH: 23, OW: 24, K: 25, APACK: 26, OFF: 27, BROW: 28,
  OUT: 29, OIMG: 30, OCH: 31, OROW: 32, OCS: 33, BIAS: 34, ACC: 35, POOL_OUT: 50, POOL_ARG: 51, POOL_RELU: 52,
  KH: 36, KW: 37, KROW: 38, CSTR: 39, WT: 40, POS: 41, WOS: 42, WCS: 43, DH: 44, DW: 45,
  // Winograd (as/winograd.ts) reuses indices the wide and dot kernels' fields hold
  WU: 26, TH: 36, TW: 37, TBLK: 38, SCR: 39, SCRB: 40, LOCK: 41, SLOTS: 42, WSRC: 43, WB: 25, WKO: 27, WKC: 28, CBLK: 44, WKH: 46, WKW: 47, FIN: 48, READY: 49,
} as const;
export const FIELDS = 53;

/** Job kinds of the wasm `run` export. */
export const KIND_WIDE = 1;
export const KIND_DOT = 2;
export const KIND_PREP = 3;
export const KIND_COL2IM = 4;
/** GEMM + col2im per image: units are images; the col2im descriptor follows the GEMM's (as/col2im.ts) */
export const KIND_COL2IM_FUSED = 5;
/** weight gradient over δ's non-zeros (as/sparse-dw.ts; its own descriptor fields, see sparse-dw.ts) */
export const KIND_SPARSE_DW = 6;
/** its rows form for few images (as/sparse-dw.ts) */
export const KIND_SPARSE_DW_ROWS = 8;
/** input gradient over δ's non-zeros (as/sparse-dx.ts; descriptor fields in sparse-dx.ts) */
export const KIND_SPARSE_DX = 7;
/** GELU/SiLU (as/elementwise.ts): descriptor i32 [fn, x, g, out, n], units of 1024 elements */
export const KIND_SMOOTH = 20;
export const KIND_SMOOTH_GRAD = 21;
export const KIND_WINO = 10;
export const KIND_WINO_FILTER = 11;
export const KIND_WINO_DW = 12;
export const KIND_WINO_DW_FINAL = 13;

/** Bytes every buffer gets past its end: tiles read (never write) up to 16 floats beyond a row. */
export const SLACK = 256;
