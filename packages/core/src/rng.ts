import { check, ConvgradError } from './errors.ts';
import { fmtArg } from './validate.ts';

/** A seed is a safe integer (a fraction or NaN would silently collapse onto another seed). */
export function checkSeed(seed: unknown, op: string): asserts seed is number {
  check(Number.isSafeInteger(seed), op, () => `seed must be an integer, got ${fmtArg(seed)}`);
}

/** Everything an Rng holds: `state` a 32-bit unsigned integer, `spare` the pending normal or null. */
export interface RngState {
  state: number;
  spare: number | null;
}

/**
 * Seeded pseudo-random generator (mulberry32 for uniforms, Box–Muller for normals).
 * Every random factory and layer init takes a seed or an Rng so runs are reproducible.
 */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number = 0) {
    checkSeed(seed, 'Rng');
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** The generator's whole state (the 32-bit counter and the cached second normal), for checkpoints. */
  getState(): RngState {
    return { state: this.state, spare: this.spare };
  }

  /** Restores a state from getState(): the generator then continues exactly as the one it came from. */
  setState(s: RngState): void {
    const ok = typeof s === 'object' && s !== null && Number.isInteger(s.state) && s.state >= 0 && s.state < 2 ** 32
      && (s.spare === null || (typeof s.spare === 'number' && Number.isFinite(s.spare)));
    if (!ok) throw new ConvgradError('Rng.setState', `expected { state: a 32-bit unsigned integer, spare: a finite number or null }, got ${JSON.stringify(s)}`);
    this.state = s.state;
    this.spare = s.spare;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: { length: number; [i: number]: T }): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
