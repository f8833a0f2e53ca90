// Elementwise arithmetic with numpy broadcasting; a number operand is a constant of the tensor's dtype.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { checkSize, checkTensor, fmtArg } from '../validate.ts';
import { getBackend } from '../kernels/backend.ts';
import { binaryBroadcast, scale, type BinaryOp } from '../kernels/elementwise.ts';
import { broadcastShapes, sizeOf } from '../shape.ts';
import { allocate, allocateEmpty, full, Tensor } from '../tensor.ts';
import { sumTo } from './shape.ts';

function asTensor(v: Tensor | number, like: Tensor, op: string): Tensor {
  if (v instanceof Tensor) return v;
  check(typeof v === 'number', op, () => `operands must be Tensors or numbers, got ${fmtArg(v)}`);
  return full([], v, { dtype: like.dtype });
}

function binary(op: BinaryOp, aIn: Tensor | number, bIn: Tensor | number): [Tensor, Tensor, Tensor] {
  check(aIn instanceof Tensor || bIn instanceof Tensor, op, () => `at least one operand must be a Tensor, got ${fmtArg(aIn)} and ${fmtArg(bIn)}`);
  // a number operand takes the dtype of the Tensor one
  const like = aIn instanceof Tensor ? aIn : (bIn as Tensor);
  const a = asTensor(aIn, like, op);
  const b = asTensor(bIn, like, op);
  check(a.dtype === b.dtype, op, () => `dtype mismatch: ${a.dtype} and ${b.dtype} (convert one with .to())`);
  const shape = broadcastShapes(a.shape, b.shape, op);
  checkSize(shape, op, 'broadcast shape', () => `operands ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const out = allocateEmpty(a.dtype, sizeOf(shape));
  if (!getBackend().binary?.(op, a.data, a.shape, b.data, b.shape, shape, out)) binaryBroadcast(op, a.data, a.shape, b.data, b.shape, shape, out);
  return [a, b, new Tensor(out, shape)];
}

export function add(aIn: Tensor | number, bIn: Tensor | number): Tensor {
  const [a, b, out] = binary('add', aIn, bIn);
  return record(out, 'add', [a, b], (g) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? sumTo(g, b.shape) : null], undefined, []);
}

export function sub(aIn: Tensor | number, bIn: Tensor | number): Tensor {
  const [a, b, out] = binary('sub', aIn, bIn);
  return record(out, 'sub', [a, b], (g) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? sumTo(neg(g), b.shape) : null], undefined, []);
}

export function mul(aIn: Tensor | number, bIn: Tensor | number): Tensor {
  const [a, b, out] = binary('mul', aIn, bIn);
  return record(out, 'mul', [a, b], (g) => [
    a.requiresGrad ? sumTo(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(mul(g, a), b.shape) : null,
  ]);
}

export function div(aIn: Tensor | number, bIn: Tensor | number): Tensor {
  const [a, b, out] = binary('div', aIn, bIn);
  // d(a/b)/da = 1/b ; d(a/b)/db = −a/b²
  return record(out, 'div', [a, b], (g) => [
    a.requiresGrad ? sumTo(div(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(neg(div(mul(g, a), mul(b, b))), b.shape) : null,
  ]);
}

const MINUS_ONE_F32 = Float32Array.of(-1);

export function neg(x: Tensor): Tensor {
  checkTensor(x, 'neg');
  const out = allocate(x.dtype, x.size);
  // x·(−1) is exact in float32: the backend's broadcast multiply gives the js loop's bits
  const fast = x.data instanceof Float32Array && getBackend().binary?.('mul', x.data, x.shape, MINUS_ONE_F32, [], x.shape, out);
  if (!fast) scale(x.data, -1, out);
  return record(new Tensor(out, x.shape), 'neg', [x], (g) => [neg(g)], undefined, []);
}
