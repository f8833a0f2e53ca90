// Field indices of the i32 job descriptors that JS writes into wasm memory (mirrored in ../layout.ts).
// Pointers and strides are in bytes.

// Input preparation shared by the conv kernels (prep.ts): prepared image n, channel c, row iy, column j
// holds the compact value at virtual row v = iy − PT, column u = j − PL (zero outside [0, H) × [0, W)),
// read from source row SY0 + SYS·v, column SX0 + SXS·u of the raw input [N][C][SH][SW].
export const X = 0;      // raw input
export const CH = 1;     // C
export const SH = 2;     // source rows per channel
export const SW = 3;     // source columns per row
export const H = 4;      // compact rows
export const W = 5;      // compact columns
export const SY0 = 6;
export const SYS = 7;
export const SX0 = 8;
export const SXS = 9;
export const PT = 10;    // zero rows above (may be negative: rows cropped)
export const PL = 11;    // zero columns on the left (may be negative)
export const P = 12;     // phases: a prepared row is stored as P rows of every P-th column
export const HP = 13;    // prepared rows per channel
export const WQ = 14;    // floats per phase row; a prepared row is P·WQ floats
export const B = 15;     // prepared input (or B of a plain GEMM)
export const BIMG = 16;  // bytes per prepared image
export const PREP = 17;  // 1: the wide/dot job prepares the images its range touches; 0: B is ready

// Wide kernel (output rows vectorised): C[n][o][oy][x] = Σ_k A[o][k] · B[n][oy·BROW + OFF[k] + x]
export const N = 18;
export const O = 19;
export const OH = 20;
export const OW = 21;
export const K = 22;
export const APACK = 23; // A packed by packA
export const OFF = 24;   // i32[K] byte offsets of row k of B
export const BROW = 25;  // bytes of B between consecutive output rows
export const OUT = 26;   // C[n][o][oy][x] at OUT + n·OIMG + o·OCH + oy·OROW + x·OCS
export const OIMG = 27;
export const OCH = 28;
export const OROW = 29;
export const OCS = 30;
export const BIAS = 31;  // f32[O] or 0
export const ACC = 32;   // 1: add into OUT

// Dot kernel (kernel rows vectorised): OUT[n][o][p] = Σ_{c,ki,kj} Wt[o][c][ki][kj] · B[n][c·CSTR + ki·KROW + POS[p] + kj]
export const KH = 33;
export const KW = 34;
export const KROW = 35;  // bytes between kernel rows in B
export const CSTR = 36;  // bytes per channel in B
export const WT = 37;    // weights [O][C][KH][KW], unpacked
export const POS = 38;   // i32 byte offsets of each output position, padded to a multiple of 4

// i32[N] per job, zeroed by JS: 0 = image not prepared, 1 = being prepared, 2 = ready (see prep.ts)
export const FLAGS = 39;

export const FIELDS = 40;
