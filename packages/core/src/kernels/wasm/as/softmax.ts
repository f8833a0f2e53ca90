// Softmax-family loops along one axis of a float32 buffer seen as [outer, len, inner] (twins of
// ../../softmax.ts, in f64 as there; exp and log are AssemblyScript's, so a result may differ from the js
// kernel's in the last bit of the f64 before rounding to f32: about one output in 10⁵ by one f32 ulp).

/** out = x − max − log Σ exp(x − max) along the axis; with asSoftmax, exp of that. */
export function logSoftmaxRows(x: usize, outer: i32, len: i32, inner: i32, out: usize, asSoftmax: bool): void {
  const step = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = (<usize>(o * len * inner + i)) << 2;
      let max = -Infinity;
      for (let j = 0, p = base; j < len; j++, p += step) {
        const v = <f64>load<f32>(x + p);
        if (v > max) max = v;
      }
      let s: f64 = 0;
      for (let j = 0, p = base; j < len; j++, p += step) s += Math.exp(<f64>load<f32>(x + p) - max);
      const shift = max + Math.log(s);
      if (asSoftmax) for (let j = 0, p = base; j < len; j++, p += step) store<f32>(out + p, <f32>Math.exp(<f64>load<f32>(x + p) - shift));
      else for (let j = 0, p = base; j < len; j++, p += step) store<f32>(out + p, <f32>(<f64>load<f32>(x + p) - shift));
    }
  }
}

/** out = g − exp(y)·Σ g along the axis, y a log-softmax output. */
export function logSoftmaxBackRows(g: usize, y: usize, outer: i32, len: i32, inner: i32, out: usize): void {
  const step = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = (<usize>(o * len * inner + i)) << 2;
      let s: f64 = 0;
      for (let j = 0, p = base; j < len; j++, p += step) s += <f64>load<f32>(g + p);
      for (let j = 0, p = base; j < len; j++, p += step) {
        store<f32>(out + p, <f32>(<f64>load<f32>(g + p) - Math.exp(<f64>load<f32>(y + p)) * s));
      }
    }
  }
}
