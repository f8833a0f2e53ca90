// The benchmark's conv2d cases (issue 2) and their FLOP counts.

export interface ConvCase {
  readonly id: string;
  readonly label: string;
  readonly n: number; readonly cin: number; readonly h: number; readonly w: number;
  readonly cout: number; readonly k: number; readonly stride: number; readonly pad: number;
}

export const CASES: readonly ConvCase[] = [
  { id: 'a', label: '1×1×80×80, 1→1, 3×3', n: 1, cin: 1, h: 80, w: 80, cout: 1, k: 3, stride: 1, pad: 0 },
  { id: 'b', label: '32×1×28×28, 1→8, 5×5', n: 32, cin: 1, h: 28, w: 28, cout: 8, k: 5, stride: 1, pad: 0 },
  { id: 'c', label: '16×16×32×32, 16→32, 3×3 p1', n: 16, cin: 16, h: 32, w: 32, cout: 32, k: 3, stride: 1, pad: 1 },
  { id: 'd', label: 'c with stride 2', n: 16, cin: 16, h: 32, w: 32, cout: 32, k: 3, stride: 2, pad: 1 },
];

export function outSize(c: ConvCase): [number, number] {
  return [Math.floor((c.h + 2 * c.pad - c.k) / c.stride) + 1, Math.floor((c.w + 2 * c.pad - c.k) / c.stride) + 1];
}

/** 2·N·Cout·OH·OW·Cin·KH·KW: one multiply and one add per tap of every output. */
export function forwardFlops(c: ConvCase): number {
  const [oh, ow] = outSize(c);
  return 2 * c.n * c.cout * oh * ow * c.cin * c.k * c.k;
}

/** Forward + backward counted as 3 forwards (dX and dW each cost one forward's multiply-adds). */
export function trainFlops(c: ConvCase): number {
  return 3 * forwardFlops(c);
}

/** Deterministic values in [−1, 1) (the same numbers for every implementation). */
export function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The case's inputs in NCHW / [Cout, Cin, KH, KW] layout, and the upstream gradient g (shape of the output). */
export function caseData(c: ConvCase): { x: Float32Array; w: Float32Array; b: Float32Array; g: Float32Array } {
  const [oh, ow] = outSize(c);
  return {
    x: values(c.n * c.cin * c.h * c.w, 1),
    w: values(c.cout * c.cin * c.k * c.k, 2).map((v) => v * 0.3),
    b: values(c.cout, 3),
    g: values(c.n * c.cout * oh * ow, 4),
  };
}
