// Runs an op on a float32 input with a named backend: its output and the input's gradient (each output
// weighted differently, so that a gradient sent to the wrong place shows).
import { mul, setBackend, tensor, type Tensor } from '../src/index.ts';

export function outputAndGrad(backend: string, x0: Tensor, f: (x: Tensor) => Tensor): [Float32Array, Float32Array] {
  setBackend(backend);
  const x = tensor(x0.data, [...x0.shape], { requiresGrad: true });
  const y = f(x);
  const w = tensor(Float32Array.from({ length: y.size }, (_, i) => ((i * 7) % 11) - 5), [...y.shape]);
  mul(y, w).sum().backward();
  return [y.data as Float32Array, x.grad!.data as Float32Array];
}
