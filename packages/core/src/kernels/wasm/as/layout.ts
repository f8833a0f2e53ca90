// Field indices of the i32 job descriptors that JS writes into wasm memory (mirrored in ../layout.ts).
// Pointers and strides are in bytes. Bump ABI_VERSION (here and in ../layout.ts) on any change.
export const ABI_VERSION = 16;

// Input preparation (prep.ts). The source is a strided block: element (n, c, a, b) at
// X + n·SIMG + c·SCH + a·SROW + b·SCOL, a < H, b < W. It sits at virtual row FY + SY·a, column FX + SX·b
// of a tensor that is zero elsewhere. Prepared image n, channel c, row iy, column j holds the virtual
// element at row iy − PT, column j − PL (PT, PL: the conv's padding, possibly negative = cropping).
export const X = 0;
export const SIMG = 1;
export const SCH = 2;
export const SROW = 3;
export const SCOL = 4;
export const CH = 5;     // C
export const H = 6;
export const W = 7;
export const FY = 8;
export const SY = 9;
export const FX = 10;
export const SX = 11;
export const PT = 12;
export const PL = 13;
export const P = 14;     // phases: a prepared row is stored as P rows of every P-th column
export const HP = 15;    // prepared rows per channel
export const WQ = 16;    // floats per phase row; a prepared row is P·WQ floats
export const B = 17;     // prepared input (or B of a plain GEMM)
export const BIMG = 18;  // bytes per prepared image
export const PREP = 19;  // 1: the wide/dot job prepares the images of the units it runs (chunks are whole images); 0: B is ready
export const DONE_AT = 20; // Winograd: i32[N] units finished per image (atomic adds), or 0

// Wide kernel (output rows vectorised): C[n][o][oy][x] = Σ_k A[o][k] · B[n][oy·BROW + OFF[k] + x]
export const N = 21;
export const O = 22;
export const OH = 23;
export const OW = 24;
export const K = 25;
export const APACK = 26; // A packed by packA
export const OFF = 27;   // i32[K] byte offsets of row k of B
export const BROW = 28;  // bytes of B between consecutive output rows
export const OUT = 29;   // C[n][o][oy][x] at OUT + n·OIMG + o·OCH + oy·OROW + x·OCS
export const OIMG = 30;
export const OCH = 31;
export const OROW = 32;
export const OCS = 33;
export const BIAS = 34;  // f32[O] or 0
export const ACC = 35;   // 1: add into OUT

// Dot kernel (kernel rows vectorised): OUT[n][o][p] = Σ_{c,ki,kj} Wt[o][c][ki][kj] · B[n][c·CSTR + ki·KROW + POS[p] + kj]
export const KH = 36;
export const KW = 37;
export const KROW = 38;  // bytes between kernel rows in B
export const CSTR = 39;  // bytes per channel in B
export const WT = 40;    // weights [O][C][KH][KW]: rows of KW floats, KH rows per channel, strided channels:
export const POS = 41;   // i32 byte offsets of each output position, padded to a multiple of 4
export const WOS = 42;   // bytes between output channels of WT
export const WCS = 43;   // bytes between input channels of WT

// col2im (col2im.ts): OUT[n][o][FY + SY·a − ki·DH + PT][FX + SX·b − kj·DW + PL] += B[n][(o·KH + ki)·KW + kj][a][b]
// for a < H, b < W, where the position is inside OH × OW; planes start from BIAS (or zero).
export const DH = 44;
export const DW = 45;

// the wide kernel's epilogue (conv-pool.ts): with POOL_OUT ≠ 0, each image's output is max-pooled over
// 2×2 windows of stride 2 (and ReLU'd if POOL_RELU) by the thread that computed it, into POOL_OUT [N][O][OH/2][OW/2]
// with the argmax (flat indices into OUT, NCHW) at POOL_ARG; the job's chunks are whole images
export const POOL_OUT = 50;
export const POOL_ARG = 51;
export const POOL_RELU = 52;

export const FIELDS = 53;

// Winograd F(4×4, 3×3) (winograd.ts) reads its input in place through the prep fields X … PL (SCOL = 4,
// SY = SX = 1; nothing is prepared), and N, O, OH, OW, the output fields and the following (the wide
// and dot kernels' fields, which its jobs do not read):
export const WU = 26;    // transformed weights U [36][⌈O/4⌉][C][4]
export const TH = 36;    // rows of 4×4 output tiles, ⌈OH/4⌉
export const TW = 37;    // tiles per row, ⌈OW/4⌉
export const TBLK = 38;  // tiles per work unit along a row (a multiple of 4)
export const SCR = 39;   // scratch: SLOTS slots of SCRB bytes (filter job: 288 bytes per unit)
export const SCRB = 40;
export const LOCK = 41;  // i32 bitmask of the slots in use
export const SLOTS = 42; // ≤ 32
export const WSRC = 43;  // filter job: weights [O][C][3][3]
// its weight-gradient form (winograd-dw.ts) also: the kernel [O][C][WKH][WKW] at WB (rows contiguous,
// WKO bytes between kernels, WKC between channels), read in place; TH/TW are then its tile rows/tiles
// per row (TW a multiple of 4), TBLK tile rows per unit, and WU the units' partial sums.
export const WB = 25;
export const WKO = 27;
export const WKC = 28;
export const CBLK = 44; // kernel channels per unit (with TBLK = TH)
export const WKH = 46;
export const WKW = 47;
// both forms: an i32 set to 1 by a job that computed an output that is not finite (NaN, ±∞), or 0
export const FIN = 48;
// the forward: an i32 counting the images of X copied in so far (the caller copies them while the job
// runs; a unit of image n waits until the count exceeds n), or 0 when X is whole
export const READY = 49;
