// Shared helpers for the layers tests.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { GradcheckReport } from '@convgrad/core/testing';

/** A fast-check property run with the global seeded configuration (vitest.setup.ts). */
export function checkProperty<T>(arb: fc.Arbitrary<T>, body: (value: T) => void, numRuns?: number): void {
  fc.assert(fc.property(arb, body), numRuns === undefined ? {} : { numRuns });
}

export function expectGradOk(report: GradcheckReport): void {
  expect(report.ok, report.message).toBe(true);
  expect(report.checked, 'gradcheck checked no element').toBeGreaterThan(0);
}

/** Elementwise |a − e| ≤ tol·max(1, |e|), reporting the first bad element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
      expect.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}
