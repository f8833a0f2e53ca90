// Values as error messages show them: `NaN`, `-1`, `"x"`, `[0.9, 1]`, `an object {…}`, `a tensor …`.
import { Tensor } from '@convgrad/core';

/** A short description of any value for error messages. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Tensor) return `a tensor ${v}`;
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (typeof v === 'function') return 'a function';
  return `an object ${safeJson(v)}`;
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? '' : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return '';
  }
}

