// What the check page reports (window.__convgradResult); the test asserts it field by field.

export interface BackendState {
  /** globalThis.crossOriginIsolated in the page. */
  crossOriginIsolated: boolean;
  /** The kernel backend selected (runtimeInfo().backend). */
  backend: string;
  /** 'ready' | 'loading' | 'unavailable', and why not ready. */
  wasm: string;
  reason: string | null;
  /** The wasm build that loaded ('relaxed-simd' | 'simd'), or null. */
  variant: string | null;
  /** Threads the wasm backend may use (1 = no workers). */
  threads: number;
  /** Web Workers started so far. */
  workersStarted: number;
  /** Web Workers that actually ran at least one kernel task since load (read after all checks). */
  workersUsed: number;
}

export interface FieldError {
  /** Largest |wasm − js| over the largest |js| of that output, over all cases. */
  y: number; dx: number; dw: number; db: number;
}

export interface ConvVsJs {
  cases: number;
  /** Cases whose stride, padding or dilation differ from 1, 0, 1 on some axis. */
  stridedCases: number; paddedCases: number; dilatedCases: number;
  maxRelError: FieldError;
  /** Conv calls the wasm kernels ran during the wasm side (forward, dX, dW per case), and calls they handed to js. */
  wasmConvCalls: number;
  jsFallbacks: number;
  /** Largest |value| seen in the js outputs (the comparison is not of zeros). */
  maxAbsJs: number;
  /** "case i (shape…): field relErr" for each case over the tolerance. */
  failures: string[];
  /** The same comparison against js results of a shifted input: must be far over the tolerance. */
  planted: number;
}

export interface GradcheckSummary {
  cases: number;
  passed: number;
  /** Largest |analytic − numeric| over all checked elements. */
  maxAbsError: number;
  failures: string[];
}

export interface EdgeKernelSummary {
  converged: boolean;
  iterations: number;
  finalLoss: number;
  wClose: boolean;
  wMaxDiff: number;
  yClose: boolean;
  seconds: number;
}

export interface CnnSummary {
  steps: number;
  firstLoss: number;
  /** Mean of the first and last five losses. */
  meanFirst5: number;
  meanLast5: number;
  accuracy: number;
  bytes: number;
  /** Tensors in the state dict, and how many came back with identical shape and values. */
  tensors: number;
  tensorsEqual: number;
  /** A fresh model loaded from the bytes predicts exactly what the trained one does. */
  predictionsEqual: boolean;
  /** The same through a Blob wrapped in a File (stateDictToBlob → loadCheckpointFromBlob). */
  viaBlob: boolean;
  /** What saveCheckpoint(path, …) threw in the page (path-based checkpoints are Node-only), or null. */
  saveCheckpointError: string | null;
}

export interface BeforeReady {
  /** runtimeInfo() before ready(): the backend ('js') and the wasm state ('loading'). */
  backend: string;
  wasm: string;
  /** The backend after ready(). */
  backendAfter: string;
  /** conv2d forward + backward before ready() against the same after it (largest relative difference). */
  maxRelError: number;
}

export interface CheckResult {
  error?: string;
  early: BeforeReady;
  before: BackendState;
  conv: ConvVsJs;
  gradcheck: GradcheckSummary;
  edge: EdgeKernelSummary;
  cnn: CnnSummary;
  after: BackendState;
  ms: number;
}
