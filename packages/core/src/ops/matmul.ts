// matmul: [..., m, k] × [..., k, n] → [..., m, n] with numpy broadcasting of the batch dims,
// one backend GEMM per batch entry. 1-D operands are treated as PyTorch does (a row / a column).
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { getBackend } from '../kernels/backend.ts';
import { broadcastShapes, sizeOf, stridesOf } from '../shape.ts';
import { allocateEmpty, Tensor } from '../tensor.ts';
import { checkSize, checkTensor } from '../validate.ts';
import { reshape, sumTo, transpose } from './shape.ts';

/** Offsets of each broadcast batch entry into an operand with batch shape `own` (missing/size-1 dims repeat). */
function batchOffsets(own: readonly number[], batch: readonly number[], matSize: number): number[] {
  const total = sizeOf(batch);
  const lead = batch.length - own.length;
  const ownStrides = stridesOf(own);
  const strides = batch.map((_, i) => (i < lead || own[i - lead] === 1 ? 0 : ownStrides[i - lead] * matSize));
  const bs = stridesOf(batch);
  return Array.from({ length: total }, (_, t) => batch.reduce((off, size, d) => off + Math.floor(t / bs[d]) % size * strides[d], 0));
}

function matmulNd(a: Tensor, b: Tensor): Tensor {
  const shapes = () => `${fmtShape(a.shape)} and ${fmtShape(b.shape)}`;
  const m = a.shape[a.rank - 2], k = a.shape[a.rank - 1];
  const kb = b.shape[b.rank - 2], n = b.shape[b.rank - 1];
  check(k === kb, 'matmul', () => `inner dimensions differ: ${shapes()} (${k} ≠ ${kb}); need [..., m, k] × [..., k, n]`);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const outShape = [...batch, m, n];
  checkSize(outShape, 'matmul', 'output shape', shapes);
  const out = allocateEmpty(a.dtype, sizeOf(outShape));
  const backend = getBackend(); // called as a method: a backend may keep state on `this`
  if (m * n > 0) {
    // (no batch dims: one entry at offset 0)
    const bo = batchOffsets(b.shape.slice(0, -2), batch, k * n);
    batchOffsets(a.shape.slice(0, -2), batch, m * k).forEach((ao, t) => backend.gemm(m, n, k, a.data, ao, b.data, bo[t], out, t * m * n, false));
  }
  // d(AB)/dA = G·Bᵀ, d(AB)/dB = Aᵀ·G, summed over the batch dims an operand was broadcast along.
  return record(new Tensor(out, outShape), 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumTo(matmulNd(g, transpose(b, -1, -2)), a.shape) : null,
    b.requiresGrad ? sumTo(matmulNd(transpose(a, -1, -2), g), b.shape) : null,
  ]);
}

/**
 * Matrix product like torch.matmul: 2-D × 2-D, batched [..., m, k] × [..., k, n] with broadcast batch
 * dims, and 1-D operands as a row vector (left) or a column vector (right), whose dim is then dropped.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'matmul', 'first operand');
  checkTensor(b, 'matmul', 'second operand');
  check(a.rank >= 1 && b.rank >= 1, 'matmul', () => `operands must have at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  check(a.dtype === b.dtype, 'matmul', () => `dtype mismatch: ${fmtShape(a.shape)} is ${a.dtype}, ${fmtShape(b.shape)} is ${b.dtype}`);
  if (a.rank >= 2 && b.rank >= 2) return matmulNd(a, b);
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0], 1]) : b;
  check(a2.shape[a2.rank - 1] === b2.shape[b2.rank - 2], 'matmul',
    () => `inner dimensions differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (${a2.shape[a2.rank - 1]} ≠ ${b2.shape[b2.rank - 2]})`);
  const r = matmulNd(a2, b2);
  const [m, n] = r.shape.slice(-2);
  return reshape(r, [...r.shape.slice(0, -2), ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])]);
}
