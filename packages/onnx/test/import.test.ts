// importOnnx on files written by PyTorch 1.13 (test/fixtures, see make_fixtures.py) and on hand-made bad files.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noGrad, randn, rot180, sum, Tensor } from '@convgrad/core';
import { Conv2d, decodeSafetensors, Module, ReLU, Sequential } from '@convgrad/layers';
import { exportOnnx, importOnnx, loadOnnx, saveOnnx } from '../src/index.ts';
import { edit, expectClose, ortRun } from './helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const io = decodeSafetensors(fixture('torch-net-io.safetensors')).tensors;

describe('files written by PyTorch 1.13', () => {
  for (const opset of [13, 17]) {
    it(`opset ${opset}: folded Conv+BatchNorm, Pad + AveragePool, Constant nodes, MatMul with Wᵀ, Gemm with transB`, async () => {
      const bytes = fixture(`torch-net-op${opset}.onnx`);
      const m = importOnnx(bytes);
      expect(m.opTypes).toEqual(['Mul', 'Sub', 'Conv', 'Relu', 'Pad', 'AveragePool', 'LeakyRelu', 'Conv', 'Sigmoid', 'Flatten', 'MatMul', 'Tanh', 'Gemm', 'LogSoftmax', 'Pow', 'Add', 'Sqrt', 'Div', 'Add']);
      // anonymous initializers are named after their node's module (the MatMul's back in Linear's [out, in] layout)
      expect(m.namedParameters().map(([k, p]) => `${k} [${p.shape.join(', ')}]`)).toEqual([
        'features.0.weight [4, 2, 3, 3]', 'features.0.bias [4]', 'features.5.weight [3, 4, 3, 3]', 'features.5.bias [3]',
        'head.1.weight [6, 27]', 'head.4.weight [5, 6]', 'head.4.bias [5]',
      ]);
      const x = io.get('x')!, y = io.get('y')!;
      expectClose(noGrad(() => m.call(x)), y, 1e-5, 'PyTorch');
      expectClose(await ortRun(bytes, x, 'x'), y, 1e-5, 'onnxruntime on PyTorch\'s file');
      // re-exported by convgrad, onnxruntime gives the same
      expectClose(await ortRun(exportOnnx(m, x, { inputName: 'x' }), x, 'x'), y, 1e-5, 'onnxruntime on the re-export');
      // trainable: every parameter gets a gradient
      m.train();
      sum(m.call(x)).backward();
      for (const [k, p] of m.namedParameters()) expect(p.grad, k).not.toBeNull();
    });
  }
});

function tiny(): Uint8Array {
  return exportOnnx(new Sequential(new Conv2d(2, 3, 3, { seed: 1, padding: 1 }), new ReLU()), randn([1, 2, 5, 5], { seed: 2 }));
}

describe('bad files are clear ConvgradErrors', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['empty', () => new Uint8Array(0), /^importOnnx: the file is empty/],
    ['truncated', () => tiny().subarray(0, 100), /^importOnnx: not a valid ONNX protobuf \(truncated or corrupt\)/],
    ['unknown op', () => edit(tiny(), (m) => (m.graph.node[1].opType = 'Swish')), /^importOnnx: node '\/1\/Relu' \(Swish\): op Swish is not supported/],
    ['other domain', () => edit(tiny(), (m) => (m.graph.node[1].domain = 'com.microsoft')), /domain 'com\.microsoft' is not supported/],
    ['opset 12', () => edit(tiny(), (m) => (m.opsetImport[0].version = 12)), /^importOnnx: opset 12 is not supported \(convgrad imports opsets 13–17\)/],
    ['opset 18', () => edit(tiny(), (m) => (m.opsetImport[0].version = 18)), /^importOnnx: opset 18 is not supported/],
    ['float16 weight', () => edit(tiny(), (m) => { m.graph.initializer[0].dataType = 10; }), /^importOnnx: initializer '0\.weight': data type FLOAT16 \(10\) is not supported/],
    ['int8 input', () => edit(tiny(), (m) => { m.graph.input[0].type.tensorType.elemType = 3; }), /graph input 'input' has data type INT8 \(3\); convgrad supports FLOAT and DOUBLE/],
    ['missing initializer', () => edit(tiny(), (m) => m.graph.initializer.splice(0, 1)), /^importOnnx: node '\/0\/Conv' \(Conv\): input '0\.weight' is not a graph input, an initializer or an earlier node's output \(missing initializer/],
    ['shape mismatch', () => edit(tiny(), (m) => {
      const w = m.graph.initializer[0];
      w.dims = [3, 1, 3, 3];
      w.rawData = w.rawData.slice(0, 3 * 9 * 4);
    }), /^importOnnx: node '\/0\/Conv' \(Conv\): conv2d: channel mismatch: input has 2 channels but weight expects 1/],
    ['raw data too short', () => edit(tiny(), (m) => { m.graph.initializer[0].dims = [4, 2, 3, 3]; }), /initializer '0\.weight': FLOAT \(1\) \[4, 2, 3, 3\] needs 288 bytes of raw_data, got 216/],
    ['declared output shape', () => edit(tiny(), (m) => { m.graph.output[0].type.tensorType.shape.dim[1] = { dimValue: 4 }; }), /the graph computes float32 \[1, 3, 5, 5\] .* but its output 'output' is declared float32 \[\?, 4, 5, 5\]/],
    ['grouped conv', () => edit(tiny(), (m) => m.graph.node[0].attribute.push({ name: 'group', type: 2, i: 2 })), /attribute 'group' twice/],
    ['group attr', () => edit(tiny(), (m) => { m.graph.node[0].attribute.find((a: any) => a.name === 'group').i = 2; }), /group 2 is not supported/],
    ['SAME padding', () => edit(tiny(), (m) => m.graph.node[0].attribute.push({ name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_UPPER') })), /auto_pad SAME_UPPER is not supported/],
    ['unknown attribute', () => edit(tiny(), (m) => m.graph.node[1].attribute = [{ name: 'beta', type: 1, f: 2 }]), /^importOnnx: node '\/1\/Relu' \(Relu\): attribute 'beta' not supported/],
    ['attribute type', () => edit(tiny(), (m) => { m.graph.node[0].attribute.find((a: any) => a.name === 'strides').type = 2; }), /attribute 'strides' must be INTS, got INT/],
    ['two inputs', () => edit(tiny(), (m) => m.graph.input.push({ ...m.graph.input[0], name: 'other' })), /exactly one input that is not an initializer, found 2/],
    ['cycle / order', () => edit(tiny(), (m) => m.graph.node.reverse()), /input '\/0\/Conv_output_0' is not a graph input, an initializer or an earlier node's output/],
    ['external data', () => edit(tiny(), (m) => { m.graph.initializer[0].dataLocation = 1; }), /external data is not supported/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => {
      expect(() => importOnnx(make())).toThrow(message);
    });
  }
});

class Rot extends Module {
  forward(x: Tensor): Tensor {
    return rot180(x);
  }
}

describe('exportOnnx errors', () => {
  it('an op without a mapping names the op and the module path', () => {
    const m = new Sequential(new ReLU(), new Sequential(new Conv2d(1, 1, 3), new Rot()));
    expect(() => exportOnnx(m, randn([1, 1, 5, 5]))).toThrow(/^exportOnnx: op 'rot180' in module '1\.1' \(Rot\) has no ONNX mapping$/);
    expect(m.training).toBe(true);
  });

  it('refuses a graph that hides a dependency on the input (noGrad, .data)', () => {
    class Hidden extends Module {
      forward(x: Tensor): Tensor {
        return x.mul(noGrad(() => sum(x)));
      }
    }
    expect(() => exportOnnx(new Hidden(), randn([2, 3]))).toThrow(/^exportOnnx: constant 'const' changes with the input: a value computed outside the recorded graph/);
    class Detached extends Module {
      forward(x: Tensor): Tensor {
        return noGrad(() => x.mul(2));
      }
    }
    expect(() => exportOnnx(new Detached(), randn([2, 3]))).toThrow(/^exportOnnx: the output does not depend on the input through recorded ops/);
  });

  it('refuses unknown options and opsets', () => {
    const m = new Sequential(new ReLU());
    expect(() => exportOnnx(m, randn([1, 3]), { opset: 18 })).toThrow(/^exportOnnx: opset 18 is not supported \(13–17\)/);
    expect(() => exportOnnx(m, randn([1, 3]), { dynamic: true } as never)).toThrow(/^exportOnnx: unknown option 'dynamic'/);
  });
});

describe('saveOnnx / loadOnnx', () => {
  it('round-trips through a file written atomically (no temp file left) and names unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convgrad-onnx-'));
    const m = new Sequential(new Conv2d(1, 2, 3, { seed: 3 }), new ReLU());
    const x = randn([2, 1, 6, 6], { seed: 4 });
    saveOnnx(join(dir, 'm.onnx'), m, x);
    expect(readdirSync(dir)).toEqual(['m.onnx']);
    expect(Array.from(noGrad(() => loadOnnx(join(dir, 'm.onnx')).call(x)).data)).toEqual(Array.from(noGrad(() => m.call(x)).data));
    expect(() => loadOnnx(join(dir, 'nope.onnx'))).toThrow(/^loadOnnx: .*nope\.onnx: cannot read the file/);
  });
});
