/** Error thrown by an op that rejects its inputs; the message starts with the op's name. */
export class ConvgradError extends Error {
  constructor(readonly op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'ConvgradError';
  }
}

/** Throws a ConvgradError for `op` unless `cond` holds. */
export function check(cond: unknown, op: string, message: string | (() => string)): asserts cond {
  if (!cond) throw new ConvgradError(op, typeof message === 'function' ? message() : message);
}

/** `[2,3,4]` → `"[2, 3, 4]"`, for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
