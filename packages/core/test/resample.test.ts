// pad2d modes (reflect, replicate, circular) and interpolate (nearest, bilinear, area): forward against
// definitions written here, gradients against finite differences (first and second order, boundary sizes:
// 1-pixel inputs, pads at PyTorch's limits), and the option checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptiveAvgPool2d, interpolate, mul, pad2d, tensor, upsample, zeros, type Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

const modes = ['reflect', 'replicate', 'circular'] as const;

/** numpy.pad's modes ('symmetric' is not PyTorch's reflect; 'wrap' is circular). */
function src(i: number, n: number, mode: (typeof modes)[number]): number {
  if (mode === 'replicate') return Math.min(Math.max(i, 0), n - 1);
  if (mode === 'circular') return ((i % n) + n) % n;
  let j = Math.abs(i);
  if (j >= n) j = 2 * (n - 1) - j;
  return j;
}

describe('pad2d modes', () => {
  const arb = fc.record({
    mode: fc.constantFrom(...modes), h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }),
    pads: fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4), fc.nat(4)), seed: fc.nat(100000),
  }).map((c) => {
    // clamp to PyTorch's limits: reflect < size, circular ≤ size
    const lim = (p: number, n: number) => (c.mode === 'reflect' ? Math.min(p, n - 1) : c.mode === 'circular' ? Math.min(p, n) : p);
    const [t, b, l, r] = c.pads;
    return { ...c, pads: [lim(t, c.h), lim(b, c.h), lim(l, c.w), lim(r, c.w)] as [number, number, number, number] };
  });

  it('forward = the definition, gradient (sums over the copies) = finite differences', () => {
    checkProperty(arb, ({ mode, h, w, pads, seed }) => {
      const x = makeTensor({ shape: [2, h, w], seed }, { requiresGrad: true });
      const y = pad2d(x, pads, mode);
      const [t, b, l, r] = pads;
      expect(y.shape).toEqual([2, h + t + b, w + l + r]);
      const want: number[] = [];
      for (let p = 0; p < 2; p++) for (let i = -t; i < h + b; i++) for (let j = -l; j < w + r; j++) want.push(x.data[(p * h + src(i, h, mode)) * w + src(j, w, mode)]);
      expectClose(y.data, want, 0, mode);
      expectGradOk(gradcheck((a) => pad2d(a, pads, mode), [x]));
      expectGradOk(gradgradcheck((a) => { const o = pad2d(a, pads, mode); return mul(o, o); }, [x]));
    }, 60);
  });

  it("refuses pads beyond PyTorch's limits and unknown modes, naming them", () => {
    const x = makeTensor({ shape: [1, 1, 3, 2], seed: 1 });
    expect(() => pad2d(x, [0, 0, 2, 0], 'reflect')).toThrow(/^pad2d: reflect padding \[0, 0, 2, 0\]: the left pad 2 must be smaller than the dim's size 2/);
    expect(() => pad2d(x, [4, 0, 0, 0], 'circular')).toThrow(/^pad2d: circular padding \[4, 0, 0, 0\]: the top pad 4 must be at most the dim's size 3/);
    expect(() => pad2d(x, 1, 'mirror' as 'reflect')).toThrow(/^pad2d: mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'/);
    expect(pad2d(x, [5, 5, 5, 5], 'replicate').shape).toEqual([1, 1, 13, 12]);
  });
});

describe('interpolate', () => {
  const arb = fc.record({
    mode: fc.constantFrom('nearest', 'bilinear', 'area'), align: fc.boolean(), h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }),
    oh: fc.integer({ min: 1, max: 7 }), ow: fc.integer({ min: 1, max: 7 }), bySize: fc.boolean(), scale: fc.constantFrom(0.5, 1, 1.5, 2, 2.5, 3), seed: fc.nat(100000),
  }).filter((c) => c.bySize || (Math.floor(c.h * c.scale) > 0 && Math.floor(c.w * c.scale) > 0));

  it('gradients = finite differences (first and second order), output sizes as PyTorch (⌊in · scale⌋)', () => {
    checkProperty(arb, ({ mode, align, h, w, oh, ow, bySize, scale, seed }) => {
      const x = makeTensor({ shape: [1, 2, h, w], seed }, { requiresGrad: true });
      const opts = { mode, ...(bySize ? { size: [oh, ow] } : { scaleFactor: scale }), ...(mode === 'bilinear' ? { alignCorners: align } : {}) };
      const y = interpolate(x, opts);
      expect(y.shape).toEqual([1, 2, bySize ? oh : Math.floor(h * scale), bySize ? ow : Math.floor(w * scale)]);
      expectGradOk(gradcheck((a) => interpolate(a, opts), [x]));
      expectGradOk(gradgradcheck((a) => { const o = interpolate(a, opts); return mul(o, o); }, [x]));
    }, 60);
  });

  it('definitions: nearest ×2 repeats pixels; bilinear with alignCorners keeps the corners and interpolates linearly; area = adaptiveAvgPool2d', () => {
    const x = makeTensor({ shape: [1, 1, 2, 3], seed: 3 });
    const v = x.data;
    const near = interpolate(x, { scaleFactor: 2 }).data;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) expect(near[i * 6 + j]).toBe(v[(i >> 1) * 3 + (j >> 1)]);
    const bil = interpolate(x, { size: [3, 5], mode: 'bilinear', alignCorners: true }).data;
    expect([bil[0], bil[4], bil[10], bil[14]]).toEqual([v[0], v[2], v[3], v[5]]);
    expectClose([bil[1], bil[5]], [(v[0] + v[1]) / 2, (v[0] + v[3]) / 2], 1e-15, 'midpoints');
    expectClose(interpolate(x, { size: [1, 2], mode: 'area' }).data, adaptiveAvgPool2d(x, [1, 2]).data, 0, 'area');
    expect(upsample).toBe(interpolate);
  });

  it('recomputeScaleFactor: the source index from the output size instead of the given factor (PyTorch 1.13, scale 1.7 on 4 rows)', () => {
    const x = tensor(Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4]);
    const col = (y: Tensor) => Array.from({ length: 6 }, (_, r) => y.data[r * 6]);
    expect(col(interpolate(x, { scaleFactor: 1.7 }))).toEqual([0, 0, 4, 4, 8, 8]);
    expect(col(interpolate(x, { scaleFactor: 1.7, recomputeScaleFactor: true }))).toEqual([0, 0, 4, 8, 8, 12]);
    expectClose(col(interpolate(x, { scaleFactor: 1.7, mode: 'bilinear' })), [0, 1.529412, 3.882353, 6.235294, 8.588236, 10.941177], 1e-5, 'bilinear');
    expectClose(col(interpolate(x, { scaleFactor: 1.7, mode: 'bilinear', recomputeScaleFactor: true })), [0, 2, 4.666667, 7.333333, 10, 12], 1e-5, 'bilinear, recomputed');
  });

  it('refuses what PyTorch refuses and what is not implemented, naming it', () => {
    const x = makeTensor({ shape: [1, 1, 2, 2], seed: 1 });
    expect(() => interpolate(x, { size: 4, scaleFactor: 2 })).toThrow(/^interpolate: exactly one of size and scaleFactor must be given, got both/);
    expect(() => interpolate(x, {})).toThrow(/^interpolate: exactly one of size and scaleFactor must be given, got neither/);
    expect(() => interpolate(x, { size: 4, alignCorners: true })).toThrow(/^interpolate: alignCorners can only be set with mode 'bilinear' \(mode is 'nearest'\)/);
    expect(() => interpolate(x, { size: 4, mode: 'bicubic' as 'bilinear' })).toThrow(/^interpolate: mode 'bicubic' is not implemented/);
    expect(() => interpolate(x, { size: 4, mode: 'bilinear', antialias: true })).toThrow(/^interpolate: antialias true is not implemented/);
    expect(() => interpolate(x, { size: 4, align_corners: true } as object)).toThrow(/^interpolate: unknown option 'align_corners'/);
    expect(() => interpolate(x, { scaleFactor: 0.2 })).toThrow(/^interpolate: scaleFactor 0.2 gives an empty output 0×0/);
    expect(() => interpolate(x, { scaleFactor: -2 })).toThrow(/^interpolate: scaleFactor must be a positive number or an \[h, w\] pair of them, got -2/);
    expect(() => interpolate(x, { size: 1.5 })).toThrow(/^interpolate: size must be a positive integer or an \[h, w\] pair of them, got 1.5/);
    expect(() => interpolate(zeros([1, 1, 0, 3]), { size: 2 })).toThrow(/^interpolate: input \[1, 1, 0, 3\] has an empty spatial size/);
    expect(() => interpolate(makeTensor({ shape: [1, 2, 2], seed: 1 }), { size: 4 })).toThrow(/^interpolate: input must be \[N, C, H, W\] \(rank 4\), got \[1, 2, 2\]/);
  });
});
