// The PyTorch anchor's wire format (torch_conv.py, and torch_mnist.py in packages/examples/bench): one
// JSON object per line on the Python process's stdout. Pure parsing, so a test pins it down.
import type { Sample } from './timing.ts';

/** The first line a torch script prints: whether `import torch` worked. */
export type Hello = { available: true; version: string } | { available: false; error: string };

/** A reply to request `id`: its result, or the error the script caught. */
export type Reply = { id: number; result: unknown } | { id: number; error: string };

function parseJsonLine(line: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`${what}: not a JSON line: ${JSON.stringify(line.slice(0, 200))}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: expected a JSON object, got ${JSON.stringify(line.slice(0, 200))}`);
  return v as Record<string, unknown>;
}

/** Parses the hello line; anything else there (a crash, a stray print) is an error naming the line. */
export function parseHello(line: string): Hello {
  const h = parseJsonLine(line, 'pytorch hello').hello as Record<string, unknown> | undefined;
  if (h && h.available === true && typeof h.version === 'string') return { available: true, version: h.version };
  if (h && h.available === false && typeof h.error === 'string') return { available: false, error: h.error };
  throw new Error(`pytorch hello: expected {"hello": {"available": …}}, got ${JSON.stringify(line.slice(0, 200))}`);
}

export function parseReply(line: string): Reply {
  const r = parseJsonLine(line, 'pytorch reply');
  if (typeof r.id !== 'number') throw new Error(`pytorch reply: no numeric id in ${JSON.stringify(line.slice(0, 200))}`);
  if (typeof r.error === 'string') return { id: r.id, error: r.error };
  if (!('result' in r)) throw new Error(`pytorch reply: neither result nor error in ${JSON.stringify(line.slice(0, 200))}`);
  return { id: r.id, result: r.result };
}

/** A timed run's result: finite, non-negative wall and CPU milliseconds. */
export function toSample(result: unknown): Sample {
  const r = result as { ms?: unknown; cpuMs?: unknown } | null;
  if (!r || typeof r.ms !== 'number' || typeof r.cpuMs !== 'number' || !(r.ms >= 0) || !(r.cpuMs >= 0)) {
    throw new Error(`pytorch run: expected {ms, cpuMs} (non-negative numbers), got ${JSON.stringify(result)}`);
  }
  return { ms: r.ms, cpuMs: r.cpuMs };
}

/** Little-endian float32 values as base64 (both ways). */
export function encodeFloat32(v: Float32Array): string {
  const bytes = new Uint8Array(v.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i], true);
  return Buffer.from(bytes).toString('base64');
}

export function decodeFloat32(b64: string, what = 'values'): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`pytorch: ${what} has ${bytes.length} bytes, not a whole number of float32`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The header line a run prints when PyTorch is not there (it then goes on without it). */
export function missingNote(python: string, reason: string): string {
  return `pytorch: not available (${python}: ${reason}); the bench goes on without it. ` +
    'Debian: apt-get install -y python3-torch; another interpreter: --python PATH or CONVGRAD_PYTHON';
}
