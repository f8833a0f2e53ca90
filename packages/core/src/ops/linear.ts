// linear: y = x·Wᵀ + b, PyTorch's F.linear (x [..., in], W [out, in], b [out]), as one op so that W is
// never transposed into a tensor of its own: the backend multiplies by Wᵀ itself when it can
// (KernelBackend.gemmTransB; wasm transposes its copy of W in wasm memory), and the backward rule needs no
// transpose of W or x:
//   dx = g·W,   dW = gᵀ·x (only g [M, out], the smallest operand, is transposed),   db = Σ over rows of g
// with g and x viewed as [M, ·] matrices, M = the product of the leading dims. Written with ops, so it
// differentiates again. (matmul(x, transpose(W)) computes the same values with three more copies.)
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { getBackend } from '../kernels/backend.ts';
import { addChannelBias } from '../kernels/channel-bias.ts';
import { stridedCopy } from '../kernels/strided.ts';
import { allocateEmpty, Tensor } from '../tensor.ts';
import { checkSize, checkTensor } from '../validate.ts';
import { matmul } from './matmul.ts';
import { sum } from './reduce.ts';
import { reshape, transpose } from './shape.ts';

const OP = 'linear';

/** y = x·Wᵀ (+ b) for x [..., in] (or [in]), weight [out, in], bias [out]: torch.nn.functional.linear. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(x, OP, 'input');
  checkTensor(weight, OP, 'weight');
  const b = bias ?? null;
  if (b !== null) checkTensor(b, OP, 'bias');
  check(weight.rank === 2, OP, () => `weight must be [out, in], got ${fmtShape(weight.shape)}`);
  const [o, k] = weight.shape;
  const shapes = () => `input ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)}${b ? `, bias ${fmtShape(b.shape)}` : ''}`;
  check(x.rank >= 1 && x.shape[x.rank - 1] === k, OP, () => `input must be [..., in] with in = ${k} (weight [out, in]): ${shapes()}`);
  check(x.dtype === weight.dtype, OP, () => `dtype mismatch: input ${x.dtype}, weight ${weight.dtype}`);
  if (b !== null) {
    check(b.rank === 1 && b.shape[0] === o, OP, () => `bias must be [out] = [${o}]: ${shapes()}`);
    check(b.dtype === x.dtype, OP, () => `dtype mismatch: input ${x.dtype}, bias ${b.dtype}`);
  }
  const outShape = [...x.shape.slice(0, -1), o];
  checkSize(outShape, OP, 'output shape', shapes);
  const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
  const out = allocateEmpty(x.dtype, rows * o);
  if (rows * o > 0) {
    const be = getBackend();
    if (!be.gemmTransB?.(rows, o, k, x.data, weight.data, out)) {
      // Wᵀ [in, out] for the plain GEMM
      const wt = allocateEmpty(weight.dtype, k * o);
      stridedCopy(weight.data, 0, [1, k], wt, 0, [o, 1], [k, o]);
      be.gemm(rows, o, k, x.data, 0, wt, 0, out, 0, false);
    }
    if (b !== null) addChannelBias(out, b.data, rows, o, 1); // [rows, out]: one bias per output column
  }
  const inputs = b ? [x, weight, b] : [x, weight];
  return record(new Tensor(out, outShape), OP, inputs, (g) => {
    const g2 = reshape(g, [rows, o]);
    const grads: (Tensor | null)[] = [
      x.requiresGrad ? reshape(matmul(g2, weight), x.shape) : null,
      weight.requiresGrad ? matmul(transpose(g2, 0, 1), reshape(x, [rows, k])) : null,
    ];
    if (b) grads.push(b.requiresGrad ? sum(g2, 0) : null);
    return grads;
  }, { bias: b !== null }, [x, weight]);
}
