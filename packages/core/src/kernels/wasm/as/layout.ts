// Field indices of the i32 job descriptors that JS writes into wasm memory (mirrored in ../layout.ts).
// Pointers and strides are in bytes.

// Input preparation shared by the conv kernels: zero padding + optional phase split (see prep.ts).
export const X = 0;      // raw input [N][C][H][W]
export const CH = 1;     // C
export const H = 2;
export const W = 3;
export const PT = 4;     // zero rows above
export const PL = 5;     // zero columns on the left
export const P = 6;      // phases: a padded row is stored as P rows of every P-th column
export const HP = 7;     // prepared rows per channel
export const WQ = 8;     // floats per phase row; a prepared row is P·WQ floats
export const B = 9;      // prepared input (or B of a plain GEMM)
export const BIMG = 10;  // bytes per prepared image
export const PREP = 11;  // 1: prepare the images a range touches before computing; 0: B is ready

// Wide kernel (output rows vectorised): C[n][o][oy][·] = Σ_k A[o][k] · B[n][oy·BROW + OFF[k] + ·]
export const N = 12;
export const O = 13;
export const OH = 14;
export const OW = 15;
export const K = 16;
export const APACK = 17; // A packed by packA
export const OFF = 18;   // i32[K] byte offsets of row k of B
export const BROW = 19;  // bytes of B between consecutive output rows
export const OUT = 20;
export const BIAS = 21;  // f32[O] or 0
export const ACC = 22;   // 1: add into OUT

// Dot kernel (kernel rows vectorised): OUT[n][o][p] = Σ_{c,ki,kj} Wt[o][c][ki][kj] · B[n][c·CSTR + ki·KROW + POS[p] + kj]
export const KH = 23;
export const KW = 24;
export const KROW = 25;  // bytes between kernel rows in B
export const CSTR = 26;  // bytes per channel in B
export const WT = 27;    // weights [O][C][KH][KW], unpacked
export const POS = 28;   // i32 byte offsets of each output position, padded to a multiple of 4

export const FIELDS = 32;
