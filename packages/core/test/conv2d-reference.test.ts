// conv2d forward against a direct 7-nested-loop cross-correlation written from the definition
// (with stride, zero padding and dilation), in float64 and float32.
import { describe, it, expect } from 'vitest';
import { conv2d, type Tensor } from '../src/index.ts';
import { convCaseArb, type ConvCase } from '../src/testing/index.ts';
import { checkProperty, convOptions, convTensors } from './helpers.ts';

/**
 * out[n][o][i][j] = b[o] + Σ_c Σ_p Σ_q x[n][c][i·S_h − P_h + p·D_h][j·S_w − P_w + q·D_w] · w[o][c][p][q],
 * with x = 0 outside the input. Accumulates in float64.
 */
function referenceConv(x: Tensor, w: Tensor, b: Tensor | null, c: ConvCase): { shape: number[]; data: number[] } {
  const [N, C, H, W] = x.shape, [O, , KH, KW] = w.shape;
  const [sh, sw] = c.stride, [ph, pw] = c.padding, [dh, dw] = c.dilation;
  const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  const data: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let acc = b ? b.data[o] : 0;
          for (let ci = 0; ci < C; ci++)
            for (let p = 0; p < KH; p++)
              for (let q = 0; q < KW; q++) {
                const y = i * sh - ph + p * dh, xx = j * sw - pw + q * dw;
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                acc += x.data[((n * C + ci) * H + y) * W + xx] * w.data[((o * C + ci) * KH + p) * KW + q];
              }
          data.push(acc);
        }
  return { shape: [N, O, OH, OW], data };
}

describe('conv2d forward equals the definition', () => {
  it('float64, to rounding', () => {
    checkProperty(convCaseArb({ maxOut: 5 }), (c) => {
      const { x, w, b } = convTensors(c, 'float64', false);
      const out = conv2d(x, w, b, convOptions(c));
      const ref = referenceConv(x, w, b, c);
      expect(out.shape).toEqual(ref.shape);
      ref.data.forEach((v, i) => {
        if (Math.abs(out.data[i] - v) > 1e-12 * Math.max(1, Math.abs(v))) expect.fail(`element ${i}: ${out.data[i]} vs reference ${v}`);
      });
    }, 100);
  });

  it('float32, within float32 rounding of the float64 reference on the same values', () => {
    checkProperty(convCaseArb({ maxOut: 5 }), (c) => {
      const { x, w, b } = convTensors(c, 'float32', false);
      const out = conv2d(x, w, b, convOptions(c));
      expect(out.dtype).toBe('float32');
      const ref = referenceConv(x, w, b, c);
      expect(out.shape).toEqual(ref.shape);
      // Error bound ~ (number of terms)·ε32·Σ|terms|; the terms are N(0,1)·N(0,0.25) with ≤ 100 of them.
      ref.data.forEach((v, i) => {
        if (Math.abs(out.data[i] - v) > 1e-4 * Math.max(1, Math.abs(v))) expect.fail(`element ${i}: ${out.data[i]} vs reference ${v}`);
      });
    }, 100);
  });
});
