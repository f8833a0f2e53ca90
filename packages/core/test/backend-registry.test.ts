// registerBackend/setBackend refuse what they cannot use, naming the backend and what is missing
// (a survivor of the mutation sample: the message naming the missing kernel was untested).
import { expect, it } from 'vitest';
import { ConvgradError, getBackend, registerBackend, setBackend } from '../src/index.ts';
import { jsBackend } from '../src/kernels/backend.ts';

it('registerBackend names the backend and the kernel function it lacks', () => {
  for (const fn of ['conv2dForward', 'gemm'] as const) {
    const partial = { ...jsBackend, name: `no-${fn}`, [fn]: undefined };
    expect(() => registerBackend(partial as never)).toThrow(ConvgradError);
    expect(() => registerBackend(partial as never)).toThrow(`registerBackend: backend 'no-${fn}' has no ${fn} function`);
  }
});

it('setBackend names the unknown backend and lists the known ones', () => {
  const before = getBackend().name;
  expect(() => setBackend('nope')).toThrow(/setBackend: unknown backend 'nope' \(known: js[,)]/);
  expect(getBackend().name).toBe(before);
});
