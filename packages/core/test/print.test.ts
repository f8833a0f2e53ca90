// Printing: tensors print their values as PyTorch 1.13's repr does (default print options), for
// String()/toString() and console.log (util.inspect); the expected strings were printed by PyTorch
// 1.13.1 (torch.tensor of the same values; dtype=torch.float64 written as dtype=float64).
import { inspect } from 'node:util';
import { describe, it, expect } from 'vitest';
import { ConvgradError, tensor, Tensor, zeros } from '../src/index.ts';

/** Values both sides compute exactly (integer arithmetic and one correctly rounded division). */
function values(n: number, kind: string): number[] {
  return Array.from({ length: n }, (_, i) => {
    let v = (((i * 7919) % 2003) - 1001) / 97;
    if (kind === 'sci') v = v * [1e-3, 1.0, 1e3][i % 3];
    if (kind === 'int') v = ((i * 7919) % 2003) - 1001;
    if (kind === 'small') v = v / 1000;
    return v;
  });
}

interface Case { shape: number[]; kind: string; dtype: 'float32' | 'float64'; requiresGrad: boolean; expected: string }

const pytorch: Case[] = [
  {"shape": [2, 3], "kind": "fixed", "dtype": "float32", "requiresGrad": false, "expected": "tensor([[-10.3196,   9.3711,   8.4124],\n        [  7.4536,   6.4948,   5.5361]])"},
  {"shape": [2, 3], "kind": "fixed", "dtype": "float32", "requiresGrad": true, "expected": "tensor([[-10.3196,   9.3711,   8.4124],\n        [  7.4536,   6.4948,   5.5361]], requires_grad=True)"},
  {"shape": [4], "kind": "sci", "dtype": "float32", "requiresGrad": false, "expected": "tensor([-1.0320e-02,  9.3711e+00,  8.4124e+03,  7.4536e-03])"},
  {"shape": [2, 2, 3], "kind": "fixed", "dtype": "float64", "requiresGrad": false, "expected": "tensor([[[-10.3196,   9.3711,   8.4124],\n         [  7.4536,   6.4948,   5.5361]],\n\n        [[  4.5773,   3.6186,   2.6598],\n         [  1.7010,   0.7423,  -0.2165]]], dtype=float64)"},
  {"shape": [3, 4], "kind": "int", "dtype": "float32", "requiresGrad": false, "expected": "tensor([[-1001.,   909.,   816.,   723.],\n        [  630.,   537.,   444.,   351.],\n        [  258.,   165.,    72.,   -21.]])"},
  {"shape": [1001], "kind": "fixed", "dtype": "float32", "requiresGrad": false, "expected": "tensor([-10.3196,   9.3711,   8.4124,  ...,   3.3608,   2.4021,   1.4433])"},
  {"shape": [40, 30], "kind": "sci", "dtype": "float32", "requiresGrad": true, "expected": "tensor([[-1.0320e-02,  9.3711e+00,  8.4124e+03,  ...,  5.0928e-03,\n          4.1340e+00,  3.1753e+03],\n        [ 2.2165e-03,  1.2577e+00,  2.9897e+02,  ..., -3.0206e-03,\n         -3.9794e+00, -4.9381e+03],\n        [-5.8969e-03, -6.8557e+00, -7.8144e+03,  ...,  9.5155e-03,\n          8.5567e+00,  7.5979e+03],\n        ...,\n        [-7.7320e-04, -1.7320e+00, -2.6907e+03,  ..., -6.0103e-03,\n         -6.9691e+00, -7.9278e+03],\n        [-8.8866e-03, -9.8454e+00,  9.8454e+03,  ...,  6.5258e-03,\n          5.5670e+00,  4.6082e+03],\n        [ 3.6495e-03,  2.6907e+00,  1.7320e+03,  ..., -1.5876e-03,\n         -2.5464e+00, -3.5052e+03]], requires_grad=True)"},
  {"shape": [5, 5, 50], "kind": "int", "dtype": "float64", "requiresGrad": true, "expected": "tensor([[[-1001.,   909.,   816.,  ...,   637.,   544.,   451.],\n         [  358.,   265.,   172.,  ...,    -7.,  -100.,  -193.],\n         [ -286.,  -379.,  -472.,  ...,  -651.,  -744.,  -837.],\n         [ -930.,   980.,   887.,  ...,   708.,   615.,   522.],\n         [  429.,   336.,   243.,  ...,    64.,   -29.,  -122.]],\n\n        [[ -215.,  -308.,  -401.,  ...,  -580.,  -673.,  -766.],\n         [ -859.,  -952.,   958.,  ...,   779.,   686.,   593.],\n         [  500.,   407.,   314.,  ...,   135.,    42.,   -51.],\n         [ -144.,  -237.,  -330.,  ...,  -509.,  -602.,  -695.],\n         [ -788.,  -881.,  -974.,  ...,   850.,   757.,   664.]],\n\n        [[  571.,   478.,   385.,  ...,   206.,   113.,    20.],\n         [  -73.,  -166.,  -259.,  ...,  -438.,  -531.,  -624.],\n         [ -717.,  -810.,  -903.,  ...,   921.,   828.,   735.],\n         [  642.,   549.,   456.,  ...,   277.,   184.,    91.],\n         [   -2.,   -95.,  -188.,  ...,  -367.,  -460.,  -553.]],\n\n        [[ -646.,  -739.,  -832.,  ...,   992.,   899.,   806.],\n         [  713.,   620.,   527.,  ...,   348.,   255.,   162.],\n         [   69.,   -24.,  -117.,  ...,  -296.,  -389.,  -482.],\n         [ -575.,  -668.,  -761.,  ...,  -940.,   970.,   877.],\n         [  784.,   691.,   598.,  ...,   419.,   326.,   233.]],\n\n        [[  140.,    47.,   -46.,  ...,  -225.,  -318.,  -411.],\n         [ -504.,  -597.,  -690.,  ...,  -869.,  -962.,   948.],\n         [  855.,   762.,   669.,  ...,   490.,   397.,   304.],\n         [  211.,   118.,    25.,  ...,  -154.,  -247.,  -340.],\n         [ -433.,  -526.,  -619.,  ...,  -798.,  -891.,  -984.]]],\n       dtype=float64, requires_grad=True)"},
  {"shape": [], "kind": "fixed", "dtype": "float32", "requiresGrad": true, "expected": "tensor(-10.3196, requires_grad=True)"},
  {"shape": [25], "kind": "fixed", "dtype": "float64", "requiresGrad": true, "expected": "tensor([-10.3196,   9.3711,   8.4124,   7.4536,   6.4948,   5.5361,   4.5773,\n          3.6186,   2.6598,   1.7010,   0.7423,  -0.2165,  -1.1753,  -2.1340,\n         -3.0928,  -4.0515,  -5.0103,  -5.9691,  -6.9278,  -7.8866,  -8.8454,\n         -9.8041,   9.8866,   8.9278,   7.9691], dtype=float64,\n       requires_grad=True)"},
  {"shape": [12], "kind": "small", "dtype": "float32", "requiresGrad": false, "expected": "tensor([-0.0103,  0.0094,  0.0084,  0.0075,  0.0065,  0.0055,  0.0046,  0.0036,\n         0.0027,  0.0017,  0.0007, -0.0002])"},
  {"shape": [3, 1, 2, 2], "kind": "fixed", "dtype": "float32", "requiresGrad": false, "expected": "tensor([[[[-10.3196,   9.3711],\n          [  8.4124,   7.4536]]],\n\n\n        [[[  6.4948,   5.5361],\n          [  4.5773,   3.6186]]],\n\n\n        [[[  2.6598,   1.7010],\n          [  0.7423,  -0.2165]]]])"},
  {"shape": [2, 0], "kind": "fixed", "dtype": "float64", "requiresGrad": false, "expected": "tensor([], size=(2, 0), dtype=float64)"},
  {"shape": [0], "kind": "fixed", "dtype": "float32", "requiresGrad": true, "expected": "tensor([], requires_grad=True)"}
];

describe('printing', () => {
  it.each(pytorch.map((c) => [`${c.kind} ${c.dtype} [${c.shape.join(', ')}]${c.requiresGrad ? ' requiresGrad' : ''}`, c] as const))('%s prints as PyTorch', (_name, c) => {
    const n = c.shape.reduce((p, s) => p * s, 1);
    const t = tensor(values(n, c.kind), c.shape, { dtype: c.dtype, requiresGrad: c.requiresGrad });
    expect(String(t)).toBe(c.expected);
    expect(t.toString()).toBe(c.expected);
    expect(inspect(t)).toBe(c.expected);
  });

  it('special values, −0, integer mode, exact ties rounded to even (Python), scientific switch', () => {
    expect(String(tensor([1, NaN, Infinity]))).toBe('tensor([1., nan, inf])');
    expect(String(tensor([-Infinity, 0.5]))).toBe('tensor([  -inf, 0.5000])');
    expect(String(tensor([-0, 0]))).toBe('tensor([-0., 0.])');
    expect(String(tensor([0.125, 1.03125]))).toBe('tensor([0.1250, 1.0312])');
    expect(String(tensor([1e-5, 1]))).toBe('tensor([1.0000e-05, 1.0000e+00])');
    expect(String(tensor([1e9, 1]))).toBe('tensor([1.0000e+09, 1.0000e+00])');
    expect(String(tensor([123456]))).toBe('tensor([123456.])');
    expect(String(tensor(1.5))).toBe('tensor(1.5000)');
    expect(String(zeros([3]))).toBe('tensor([0., 0., 0.])');
    expect(String(tensor([])).toString()).toBe('tensor([])');
  });

  it('a non-leaf shows its grad_fn (convgrad op name) instead of requires_grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(String(x.mul(2))).toBe('tensor([2., 4.], grad_fn=<MulBackward>)');
    expect(String(x.sum())).toBe('tensor(3., grad_fn=<SumBackward>)');
    expect(String(x.detach())).toBe('tensor([1., 2.])');
  });
});

describe('tensor(values, options)', () => {
  it('takes options as the second argument; the (values, shape, options) form still works', () => {
    const a = tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
    expect(a.shape).toEqual([1, 2]);
    expect(a.dtype).toBe('float64');
    expect(a.requiresGrad).toBe(true);
    const b = tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
    expect(b.shape).toEqual([2, 2]);
    expect(b.requiresGrad).toBe(true);
    expect(tensor([1, 2], undefined, { dtype: 'float64' }).dtype).toBe('float64');
    expect(tensor(3, {}).shape).toEqual([]);
    expect(tensor(Float64Array.of(1, 2), { dtype: 'float64' }).shape).toEqual([2]);
  });

  it('refuses unknown option keys, bad values and a mixed call', () => {
    expect(() => tensor([1], { device: 'cpu' } as never)).toThrow(/^tensor: unknown option 'device' \(known: dtype, requiresGrad\)/);
    expect(() => tensor([1], { requires_grad: true } as never)).toThrow(/^tensor: unknown option 'requires_grad'/);
    expect(() => tensor([1], { dtype: 'int32' } as never)).toThrow(/^tensor: unsupported dtype 'int32'/);
    expect(() => tensor([1], { requiresGrad: 1 } as never)).toThrow(/^tensor: requiresGrad must be true or false/);
    expect(() => tensor([1], { dtype: 'float32' } as never, {} as never)).toThrow(ConvgradError);
    expect(() => tensor([1], 'float64' as never)).toThrow(/^tensor: expected tensor\(values, options\)/);
  });
});

describe('Tensor methods added for issue 11', () => {
  it('slice, pad, pow, sqrt', () => {
    const x = tensor([[1, 4], [9, 16]]);
    expect(x.slice([1, 0], [1, 2]).toArray()).toEqual([[9, 16]]);
    expect(x.pad([[0, 1], [1, 0]]).toArray()).toEqual([[0, 1, 4], [0, 9, 16], [0, 0, 0]]);
    expect(x.pow(0.5).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(x.sqrt().toArray()).toEqual([[1, 2], [3, 4]]);
    expect(x.abs().clamp(2, 10).toArray()).toEqual([[2, 4], [9, 10]]);
    expect(x.var().item()).toBeCloseTo(43, 5);
    expect(x.std(1, { unbiased: false }).toArray()).toEqual([1.5, 3.5]);
    expect(x.unsqueeze(0).squeeze(0).flatten().expand([2, 4]).shape).toEqual([2, 4]);
    expect(x.indexSelect(1, [1]).toArray()).toEqual([[4], [16]]);
    expect(x instanceof Tensor).toBe(true);
  });
});
