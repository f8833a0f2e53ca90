// Seeded fuzz of invalid calls across layers, losses, Sequential, state dicts and checkpoints: every
// call must throw a ConvgradError whose message starts with the layer/function and shows the offending
// value (NaN as NaN, not null); a call that returns is a silent result and fails the test.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConvgradError, randn, Tensor } from '@convgrad/core';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, decodeSafetensors, Dropout, encodeSafetensors, Flatten,
  LeakyReLU, Linear, loadCheckpoint, loadSafetensors, manualSeed, MaxPool2d, Module, MSELoss, ReLU, saveCheckpoint,
  saveSafetensors, Sequential, Sigmoid, Tanh,
} from '../src/index.ts';
import { fmtArg } from '../src/checks.ts';

const dir = mkdtempSync(join(tmpdir(), 'convgrad-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const folder = join(dir, 'a-folder');
mkdirSync(folder);
const goodPath = join(dir, 'good.safetensors');
saveCheckpoint(goodPath, new Linear(3, 2, { seed: 1 }));

/** One invalid call: the op its error must start with, a text the message must contain, the call. */
interface Invalid { op: string; shows: string; run: () => unknown; label: string }
const call = (op: string, shows: string, label: string, run: () => unknown): Invalid => ({ op, shows, run, label });

// Values that are not valid sizes (positive integers); `0` and `-0` are added where 0 is invalid.
const notCount = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -1, 1.5, 0.5, -0.5, 2 ** 53 + 2, 1e300, '3', null, true, [], {}, [2, 2, 2]);
const notPositive = fc.oneof(notCount, fc.constantFrom<unknown>(0, -0));
const notInt = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 1.5, 0.5, -0.5, '1', null, true, [1], {});
const notFinite = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, '0.1', null, true, [0.1], {});
const notBool = fc.constantFrom<unknown>(0, 1, 'true', 'false', null, NaN, [], {});
const notDType = fc.constantFrom<unknown>('int8', 'float16', 'int32', 'F32', 'Float32', 'bfloat16', 32, null, true, {});
const notPair = (min: 0 | 1) => fc.constantFrom<unknown>(NaN, Infinity, -1, 1.5, min === 1 ? 0 : -2, [1], [1, 2, 3], [1, NaN], [1.5, 1], '2', null, true, {});
const notSeed = fc.constantFrom<unknown>(NaN, Infinity, 1.5, '1', null, 2 ** 60, [1], {});
const notRng = fc.constantFrom<unknown>({}, 3, 'rng', null, [], Math.random);
const unknownKey = fc.constantFrom('strides', 'pading', 'groups', 'bias_', 'kernel_size', 'lr', 'inplace', 'Stride');
const notTensor = fc.constantFrom<unknown>(undefined, null, 3, 'x', [1, 2], [[1, 2]], { data: [1], shape: [1] }, new Float32Array(4), true, () => 1);
const notOptions = fc.constantFrom<unknown>(null, 3, 'x', [1], true, new Float32Array(1));

const tensor = randn([2, 3], { seed: 1 });

/** Invalid constructions of Conv2d and Linear: one bad argument or option at a time. */
const convLinear = fc.oneof(
  fc.tuple(fc.constantFrom(0, 1, 2), notPositive).map(([at, v]) => {
    const args: unknown[] = [2, 3, 3];
    args[at] = v;
    return call('Conv2d', fmtArg(v), `Conv2d(${args.map(fmtArg)})`, () => new Conv2d(...(args as [number, number, number])));
  }),
  fc.tuple(fc.constantFrom('stride', 'dilation'), notPair(1)).map(([k, v]) => call('Conv2d', fmtArg(v), `Conv2d {${k}: ${fmtArg(v)}}`, () => new Conv2d(1, 1, 3, { [k]: v }))),
  notPair(0).filter((v) => v !== 0).map((v) => call('Conv2d', fmtArg(v), `Conv2d {padding: ${fmtArg(v)}}`, () => new Conv2d(1, 1, 3, { padding: v as number }))),
  fc.tuple(fc.constantFrom(0, 1), notPositive).map(([at, v]) => {
    const args: unknown[] = [4, 2];
    args[at] = v;
    return call('Linear', fmtArg(v), `Linear(${args.map(fmtArg)})`, () => new Linear(...(args as [number, number])));
  }),
  fc.tuple(fc.constantFrom('Conv2d', 'Linear'), fc.constantFrom<[string, fc.Arbitrary<unknown>]>(['bias', notBool], ['dtype', notDType], ['seed', notSeed], ['rng', notRng]))
    .chain(([layer, [key, arb]]) => arb.map((v) => call(layer, fmtArg(v), `${layer} {${key}: ${fmtArg(v)}}`,
      () => (layer === 'Conv2d' ? new Conv2d(1, 1, 1, { [key]: v }) : new Linear(1, 1, { [key]: v }))))),
  fc.tuple(fc.constantFrom('Conv2d', 'Linear'), unknownKey).map(([layer, key]) => call(layer, `'${key}'`, `${layer} {${key}}`,
    () => (layer === 'Conv2d' ? new Conv2d(1, 1, 1, { [key]: 1 } as never) : new Linear(1, 1, { [key]: 1 } as never)))),
  fc.tuple(fc.constantFrom('Conv2d', 'Linear'), notOptions).map(([layer, v]) => call(layer, fmtArg(v), `${layer} options ${fmtArg(v)}`,
    () => (layer === 'Conv2d' ? new Conv2d(1, 1, 1, v as never) : new Linear(1, 1, v as never)))),
  // above the allocation limit: refused before allocating, naming the layer and the shape
  fc.tuple(fc.integer({ min: 2 ** 16, max: 2 ** 20 }), fc.integer({ min: 2 ** 16, max: 2 ** 20 })).map(([a, b]) =>
    call('Linear', `[${b}, ${a}]`, `Linear(${a}, ${b})`, () => new Linear(a, b))),
  fc.tuple(fc.integer({ min: 2 ** 12, max: 2 ** 14 }), fc.integer({ min: 2 ** 12, max: 2 ** 14 }), fc.integer({ min: 2 ** 8, max: 2 ** 9 })).map(([i, o, k]) =>
    call('Conv2d', `[${o}, ${i}, ${k}, ${k}]`, `Conv2d(${i}, ${o}, ${k})`, () => new Conv2d(i, o, k))),
);

/** The other layers and the losses. */
const otherLayers = fc.oneof(
  fc.tuple(fc.constantFrom(BatchNorm1d, BatchNorm2d), notPositive).map(([B, v]) => call(B.name, fmtArg(v), `${B.name}(${fmtArg(v)})`, () => new B(v as number))),
  fc.tuple(fc.constantFrom(BatchNorm1d, BatchNorm2d), fc.constantFrom<[string, unknown]>(
    // momentum null is PyTorch's cumulative average (implemented, see normalization tests), not an error
    ['eps', 0], ['eps', -1e-5], ['eps', NaN], ['eps', Infinity], ['eps', '1e-5'], ['momentum', -0.1], ['momentum', 1.5], ['momentum', NaN],
    ['momentum', '0.1'], ['affine', 1], ['affine', 'yes'], ['trackRunningStats', 0], ['dtype', 'int8'], ['dtype', 'float16'], ['epsilon', 1e-5], ['momentun', 0.1],
  )).map(([B, [k, v]]) => call(B.name, ['epsilon', 'momentun'].includes(k) ? `'${k}'` : fmtArg(v), `${B.name} {${k}: ${fmtArg(v)}}`, () => new B(2, { [k]: v } as never))),
  fc.constantFrom<unknown>(1, 1.5, -0.1, NaN, Infinity, '0.5', null, [0.5]).map((p) => call('Dropout', fmtArg(p), `Dropout(${fmtArg(p)})`, () => new Dropout(p as number))),
  fc.oneof(notSeed.map((v) => ['seed', v] as const), notRng.map((v) => ['rng', v] as const), unknownKey.map((k) => [k, 1] as const))
    .map(([k, v]) => call('Dropout', ['seed', 'rng'].includes(k) ? fmtArg(v) : `'${k}'`, `Dropout {${k}}`, () => new Dropout(0.5, { [k]: v } as never))),
  notFinite.filter((v) => v !== undefined).map((v) => call('LeakyReLU', fmtArg(v), `LeakyReLU(${fmtArg(v)})`, () => new LeakyReLU(v as number))),
  fc.tuple(fc.constantFrom(MaxPool2d, AvgPool2d), notPair(1)).map(([P, v]) => call(P.name, fmtArg(v), `${P.name}(${fmtArg(v)})`, () => new P(v as number))),
  fc.tuple(fc.constantFrom(MaxPool2d, AvgPool2d), fc.constantFrom('stride', 'padding'), notPair(1)).filter(([, k, v]) => !(k === 'padding' && v === 0))
    .map(([P, k, v]) => call(P.name, fmtArg(v), `${P.name}(2, {${k}: ${fmtArg(v)}})`, () => new P(2, { [k]: v } as never))),
  fc.tuple(fc.constantFrom(MaxPool2d, AvgPool2d), fc.oneof(unknownKey.map((k) => ({ [k]: 1 })), notOptions)).map(([P, o]) =>
    call(P.name, o !== null && typeof o === 'object' && !ArrayBuffer.isView(o) && !Array.isArray(o) ? `'${Object.keys(o)[0]}'` : fmtArg(o), `${P.name}(2, ${fmtArg(o)})`, () => new P(2, o as never))),
  fc.tuple(fc.constantFrom(0, 1), notInt).map(([at, v]) => {
    const args: unknown[] = [1, -1];
    args[at] = v;
    return call('Flatten', fmtArg(v), `Flatten(${args.map(fmtArg)})`, () => new Flatten(...(args as [number, number])));
  }),
  fc.tuple(fc.constantFrom(MSELoss, CrossEntropyLoss), fc.constantFrom<unknown>('avg', 'Mean', 'elementwise_mean', '', null, 1, true)).map(([L, r]) =>
    call(L.name, fmtArg(r), `${L.name}(${fmtArg(r)})`, () => new L(r as never))),
  notSeed.map((v) => call('manualSeed', fmtArg(v), `manualSeed(${fmtArg(v)})`, () => manualSeed(v as number))),
);

/** Forwards given something that is not a tensor. */
const layerMakers: [string, () => Module<any, any>][] = [
  ['Conv2d', () => new Conv2d(1, 1, 1, { seed: 1 })], ['Linear', () => new Linear(3, 2, { seed: 1 })], ['ReLU', () => new ReLU()],
  ['LeakyReLU', () => new LeakyReLU()], ['Sigmoid', () => new Sigmoid()], ['Tanh', () => new Tanh()], ['MaxPool2d', () => new MaxPool2d(2)],
  ['AvgPool2d', () => new AvgPool2d(2)], ['Flatten', () => new Flatten()], ['Dropout', () => new Dropout(0.5, { seed: 1 })],
  ['BatchNorm1d', () => new BatchNorm1d(3)], ['BatchNorm2d', () => new BatchNorm2d(3)], ['Sequential', () => new Sequential(new ReLU())],
];
const forwards = fc.oneof(
  fc.tuple(fc.constantFrom(...layerMakers), notTensor).map(([[name, make], v]) => call(name, fmtArg(v), `${name}.call(${fmtArg(v)})`, () => make().call(v as Tensor))),
  fc.tuple(fc.constantFrom(0, 1), notTensor).map(([at, v]) => {
    const args: unknown[] = [tensor, tensor];
    args[at] = v;
    return call('MSELoss', fmtArg(v), `MSELoss.call(${args.map(fmtArg)})`, () => new MSELoss().call(args[0] as Tensor, args[1] as Tensor));
  }),
  notTensor.map((v) => call('CrossEntropyLoss', fmtArg(v), `CrossEntropyLoss.call(${fmtArg(v)}, labels)`, () => new CrossEntropyLoss().call(v as Tensor, [0, 1]))),
  fc.constantFrom<unknown>(undefined, null, 3, 'ab', { 0: 1 }, new DataView(new ArrayBuffer(8))).map((v) =>
    call('CrossEntropyLoss', fmtArg(v), `CrossEntropyLoss.call(logits, ${fmtArg(v)})`, () => new CrossEntropyLoss().call(tensor, v as number[]))),
);

/** Sequential's own arguments. */
const sequential = fc.oneof(
  fc.tuple(fc.nat(2), fc.constantFrom<unknown>(3, null, undefined, {}, ReLU, tensor, 'relu')).map(([at, v]) => {
    const layers: unknown[] = [new ReLU(), new ReLU(), new ReLU()];
    layers[at] = v;
    return call('Sequential', `layer ${at} must be a Module, got ${fmtArg(v)}`, `Sequential(… ${fmtArg(v)} …)`, () => new Sequential(...(layers as Module[])));
  }),
  fc.constantFrom<unknown>(3, null, {}, ReLU, tensor).map((v) => call('Sequential.append', fmtArg(v), `append(${fmtArg(v)})`, () => new Sequential().append(v as Module))),
  fc.constantFrom<unknown>(1.5, NaN, '0', null, 2, -3, 100).map((v) => call('Sequential.at', fmtArg(v), `at(${fmtArg(v)})`, () => new Sequential(new ReLU(), new Tanh()).at(v as number))),
);

/** State dicts: wrong containers, values, shapes, dtypes, keys and options. */
const model = () => new Sequential(new Linear(3, 2, { seed: 1 }), new ReLU(), new Linear(2, 1, { seed: 2 }));
const goodDict = () => model().stateDict();
const stateDicts = fc.oneof(
  fc.tuple(fc.constantFrom('loadStateDict', 'checkStateDict'), fc.constantFrom<unknown>(null, 3, 'dict', [1], tensor, new Float32Array(2), true)).map(([m, v]) =>
    call(m, fmtArg(v), `${m}(${fmtArg(v)})`, () => (m === 'loadStateDict' ? model().loadStateDict(v as never) : model().checkStateDict(v as never)))),
  fc.tuple(fc.constantFrom('loadStateDict', 'checkStateDict'), fc.oneof(notBool.map((v) => ({ strict: v })), unknownKey.map((k) => ({ [k]: true })), notOptions))
    .map(([m, o]) => {
      const shows = o !== null && typeof o === 'object' && !Array.isArray(o) && !ArrayBuffer.isView(o) ? ('strict' in o ? fmtArg((o as { strict: unknown }).strict) : `'${Object.keys(o)[0]}'`) : fmtArg(o);
      return call(m, shows, `${m}(dict, ${fmtArg(o)})`, () => (m === 'loadStateDict' ? model().loadStateDict(goodDict(), o as never) : model().checkStateDict(goodDict(), o as never)));
    }),
  fc.tuple(fc.constantFrom('0.weight', '0.bias', '2.weight', '2.bias'), fc.constantFrom<unknown>(3, null, 'w', [1, 2], {})).map(([key, v]) => {
    const d = goodDict();
    d.set(key, v as Tensor);
    return call('loadStateDict', `'${key}' is not a Tensor`, `loadStateDict {${key}: ${fmtArg(v)}}`, () => model().loadStateDict(d));
  }),
  fc.tuple(fc.constantFrom('0.weight', '0.bias', '2.weight', '2.bias'), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })).map(([key, shape]) => {
    const d = goodDict();
    const expected = d.get(key)!.shape;
    const wrong = shape.length === expected.length && shape.every((s, i) => s === expected[i]) ? [...shape, 1] : shape;
    d.set(key, randn(wrong, { seed: 3 }));
    return call('loadStateDict', `'${key}' has shape [${wrong.join(', ')}]`, `loadStateDict ${key} ${wrong}`, () => model().loadStateDict(d));
  }),
  fc.constantFrom('0.weight', '0.bias', '2.weight', '2.bias').map((key) => {
    const d = goodDict();
    d.set(key, d.get(key)!.to('float64'));
    return call('loadStateDict', `'${key}' is float64`, `loadStateDict ${key} float64`, () => model().loadStateDict(d));
  }),
  fc.subarray(['0.weight', '0.bias', '2.weight', '2.bias'], { minLength: 1 }).map((keys) => {
    const d = goodDict();
    for (const k of keys) d.delete(k);
    return call('loadStateDict', `missing keys: ${keys.join(', ')}`, `loadStateDict without ${keys}`, () => model().loadStateDict(d));
  }),
  fc.constantFrom('3.weight', 'extra', '0.weight2').map((key) => {
    const d = goodDict();
    d.set(key, tensor);
    return call('loadStateDict', `unexpected keys: ${key}`, `loadStateDict + ${key}`, () => model().loadStateDict(d));
  }),
  notBool.map((v) => call('train', fmtArg(v), `train(${fmtArg(v)})`, () => model().train(v as boolean))),
  fc.tuple(fc.constantFrom('registerParameter', 'registerBuffer', 'registerModule'), fc.constantFrom<unknown>('', 'a.b', 3, null)).map(([m, name]) =>
    call(m, `invalid name ${typeof name === 'string' ? `'${name}'` : `'${String(name)}'`}`, `${m}(${fmtArg(name)})`,
      () => (new ReLU() as unknown as Record<string, (n: unknown, v: unknown) => unknown>)[m](name, m === 'registerModule' ? new ReLU() : randn([1])))),
);

/** Checkpoint encode/decode/save/load. */
const valid = encodeSafetensors({ a: randn([2, 3], { seed: 1 }), b: randn([4], { seed: 2, dtype: 'float64' }) });
const checkpoints = fc.oneof(
  fc.constantFrom<unknown>(null, 3, 'dict', [tensor], tensor, true).map((v) => call('encodeSafetensors', fmtArg(v), `encode(${fmtArg(v)})`, () => encodeSafetensors(v as never))),
  fc.constantFrom<unknown>(3, null, 'w', [1, 2], {}, new Float32Array(2)).map((v) => call('encodeSafetensors', fmtArg(v), `encode({a: ${fmtArg(v)}})`, () => encodeSafetensors({ a: v as Tensor }))),
  fc.constantFrom<unknown>(null, 3, 'meta', [['a', 'b']], { epoch: 3 }, { ok: 'x', bad: null }).map((v) => {
    const shows = v !== null && typeof v === 'object' && !Array.isArray(v) ? fmtArg(Object.values(v).find((x) => typeof x !== 'string')) : fmtArg(v);
    return call('encodeSafetensors', shows, `encode(dict, ${fmtArg(v)})`, () => encodeSafetensors({ a: tensor }, v as never));
  }),
  fc.constant(call('encodeSafetensors', "'__metadata__'", 'encode({__metadata__})', () => encodeSafetensors({ __metadata__: tensor }))),
  fc.constantFrom<unknown>(null, 'bytes', [1, 2, 3], new ArrayBuffer(16), new Float32Array(4), 3).map((v) =>
    call('decodeSafetensors', fmtArg(v), `decode(${fmtArg(v)})`, () => decodeSafetensors(v as Uint8Array))),
  // every truncation of a valid file is invalid; the message names the source
  fc.integer({ min: 0, max: valid.length - 1 }).map((cut) => call('loadSafetensors', 'cut.safetensors', `decode(cut at ${cut})`, () => decodeSafetensors(valid.subarray(0, cut), 'cut.safetensors'))),
  // a header length that is not the real one
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).filter((n) => n !== BigInt(Number(new DataView(valid.buffer).getBigUint64(0, true)))).map((n) => {
    const bytes = valid.slice();
    new DataView(bytes.buffer).setBigUint64(0, n, true);
    return call('loadSafetensors', 'len.safetensors', `decode(length ${n})`, () => decodeSafetensors(bytes, 'len.safetensors'));
  }),
  fc.tuple(fc.constantFrom('saveCheckpoint', 'loadCheckpoint', 'saveSafetensors', 'loadSafetensors'), fc.constantFrom<unknown>('', null, 3, undefined, ['a'])).map(([f, p]) =>
    call(f, fmtArg(p), `${f}(${fmtArg(p)})`, () => {
      const path = p as string;
      if (f === 'saveCheckpoint') return saveCheckpoint(path, model());
      if (f === 'loadCheckpoint') return loadCheckpoint(path, model());
      if (f === 'saveSafetensors') return saveSafetensors(path, goodDict());
      return loadSafetensors(path);
    })),
  fc.tuple(fc.constantFrom('saveCheckpoint', 'saveSafetensors'), fc.constantFrom(join(dir, 'missing', 'm.safetensors'), folder)).map(([f, p]) =>
    call(f, `'${p}'`, `${f}(${p})`, () => (f === 'saveCheckpoint' ? saveCheckpoint(p, model()) : saveSafetensors(p, goodDict())))),
  fc.tuple(fc.constantFrom('loadCheckpoint', 'loadSafetensors'), fc.constantFrom(join(dir, 'missing.safetensors'), folder)).map(([f, p]) =>
    call(f, p, `${f}(${p})`, () => (f === 'loadCheckpoint' ? loadCheckpoint(p, model()) : loadSafetensors(p)))),
  fc.tuple(fc.constantFrom('saveCheckpoint', 'loadCheckpoint'), fc.constantFrom<unknown>(null, undefined, {}, tensor, goodDict(), 3)).map(([f, m]) =>
    call(f, fmtArg(m), `${f}(path, ${fmtArg(m)})`, () => (f === 'saveCheckpoint' ? saveCheckpoint(join(dir, 'x.safetensors'), m as Module) : loadCheckpoint(goodPath, m as Module)))),
  fc.oneof(notBool.map((v) => ({ strict: v })), unknownKey.map((k) => ({ [k]: true })), notOptions).map((o) => {
    const shows = o !== null && typeof o === 'object' && !Array.isArray(o) && !ArrayBuffer.isView(o) ? ('strict' in o ? fmtArg((o as { strict: unknown }).strict) : `'${Object.keys(o)[0]}'`) : fmtArg(o);
    return call('loadCheckpoint', shows, `loadCheckpoint(path, m, ${fmtArg(o)})`, () => loadCheckpoint(goodPath, new Linear(3, 2), o as never));
  }),
  // a valid file that does not fit the model
  fc.constantFrom<[string, () => Module<any, any>]>(['Linear(3, 3)', () => new Linear(3, 3)], ['Linear(2, 2)', () => new Linear(2, 2)], ['no bias', () => new Linear(3, 2, { bias: false })], ['float64', () => new Linear(3, 2, { dtype: 'float64' })])
    .map(([label, make]) => call('loadCheckpoint', 'good.safetensors does not match the model', `loadCheckpoint into ${label}`, () => loadCheckpoint(goodPath, make()))),
);

const everything = fc.oneof(convLinear, otherLayers, forwards, sequential, stateDicts, checkpoints);

describe('fuzz: invalid calls', () => {
  it('600 seeded invalid calls: each throws a ConvgradError naming the op and the offending value; 0 silent results', () => {
    const ops = new Set<string>();
    let calls = 0;
    fc.assert(fc.property(everything, ({ op, shows, run, label }) => {
      calls++;
      let thrown: unknown = null;
      let returned: unknown;
      try {
        returned = run();
      } catch (err) {
        thrown = err;
      }
      if (thrown === null) expect.fail(`${label} returned ${fmtArg(returned)} instead of throwing`);
      expect(thrown, `${label}: ${String(thrown)}`).toBeInstanceOf(ConvgradError);
      const message = (thrown as Error).message;
      expect(message.startsWith(`${op}: `), `${label}: message should start with '${op}: ', got: ${message}`).toBe(true);
      expect(message, label).toContain(shows);
      ops.add(op);
    }), { numRuns: 600 });
    expect(calls).toBeGreaterThanOrEqual(600);
    expect(ops.size).toBeGreaterThanOrEqual(25);
  });

  it('named cases from the bug report', () => {
    expect(() => new Conv2d(1, 1, NaN)).toThrow('Conv2d: kernelSize must be a positive integer or a pair of them, got NaN');
    expect(() => new Flatten(1.5)).toThrow('Flatten: startDim must be an integer, got 1.5');
    expect(() => new Flatten(0.5)).toThrow('Flatten: startDim must be an integer, got 0.5');
    expect(() => new Conv2d(1, 1, 3, { dtype: 'int8' as never })).toThrow("Conv2d: unsupported dtype 'int8' (float32 or float64)");
    expect(() => new Linear(2 ** 17, 2 ** 17)).toThrow('Linear: weight [131072, 131072] has 17179869184 elements, above the allocation limit');
    expect(() => new Conv2d(1, 1, 3, { stride: null as never })).toThrow('Conv2d: stride must be a positive integer or a pair of them, got null');
    expect(() => new Linear(3, 2).call(undefined as never)).toThrow('Linear: input must be a Tensor, got undefined');
    expect(() => new Conv2d(1, 1, 3, { strides: 2 } as never)).toThrow("Conv2d: unknown option 'strides'");
  });
});
