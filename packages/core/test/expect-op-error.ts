// The check of the mutation-survivor tests (ops-*-mutants.test.ts): a call throws a ConvgradError for
// its op whose message contains the expected text (a trailing $: the message ends with it).
import { expect } from 'vitest';
import { ConvgradError } from '../src/index.ts';

export type ErrorCase = [op: string, call: () => unknown, message: string];

export function expectOpError(op: string, call: () => unknown, message: string): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConvgradError);
  expect((caught as ConvgradError).op).toBe(op);
  if (message.endsWith('$')) expect((caught as Error).message.endsWith(message.slice(0, -1)), (caught as Error).message).toBe(true);
  else expect((caught as Error).message).toContain(message);
}
