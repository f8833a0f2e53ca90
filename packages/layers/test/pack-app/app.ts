// Type-checked (never run) against the .d.ts files of the installed tarballs, with `strict`: the public
// API must carry real types. Each @ts-expect-error line must be an error, so `any` types would fail.
import { check, conv2d, ConvgradError, getBackend, mseLoss, noGrad, randn, ready, tensor, type Conv2dOptions, type Tensor } from '@convgrad/core';
import { gradcheck, type GradcheckReport } from '@convgrad/core/testing';
import {
  Adam, Conv2d, CrossEntropyLoss, Flatten, Linear, loadCheckpointFromBlob, loadCheckpointFromBytes, MaxPool2d, Module, ReLU,
  Sequential, stateDictFromBytes, stateDictToBlob, stateDictToBytes, type CheckpointLoadResult, type SafetensorsContents,
} from '@convgrad/layers';

export async function main(): Promise<number> {
  await ready();
  const name: string = getBackend().name;
  const x: Tensor = randn([1, 1, 8, 8], { seed: 1 });
  const options: Conv2dOptions = { stride: 1, padding: 1 };
  const w = randn([1, 1, 3, 3], { seed: 2, requiresGrad: true });
  const loss: Tensor = mseLoss(conv2d(x, w, null, options), noGrad(() => conv2d(x, tensor([0, -1, 0, 0, 2, 0, 0, -1, 0], [1, 1, 3, 3]), null, options)));
  loss.backward();
  const g: Tensor | null = w.grad;
  const report: GradcheckReport = gradcheck((a: Tensor) => a.mul(a).sum(), [randn([3], { dtype: 'float64', requiresGrad: true })]);
  const ok: boolean = report.ok;

  const model = new Sequential(new Conv2d(1, 2, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(32, 2));
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const l: Tensor = new CrossEntropyLoss().call(model.call(x), [1]);
  l.backward();
  opt.step();
  const bytes: Uint8Array = stateDictToBytes(model, { note: 'typed' });
  const blob: Blob = stateDictToBlob(model);
  const contents: SafetensorsContents = stateDictFromBytes(bytes.buffer as ArrayBuffer);
  const fromBytes: CheckpointLoadResult = loadCheckpointFromBytes(bytes, model);
  const fromBlob: Promise<CheckpointLoadResult> = loadCheckpointFromBlob(blob, model);
  const missing: string[] = fromBytes.missingKeys.concat((await fromBlob).unexpectedKeys);

  class Twice extends Module {
    forward(t: Tensor): Tensor {
      check(t.dtype === 'float64', 'twice', () => `expected float64, got ${t.dtype}`);
      return t.mul(2);
    }
  }
  const err: ConvgradError = new ConvgradError('twice', 'message');

  // @ts-expect-error conv2d needs a kernel
  conv2d(x);
  // @ts-expect-error a Tensor is not a string
  const wrong: string = x;
  // @ts-expect-error stateDictToBytes takes a module or a state dict
  stateDictToBytes(42);

  return name.length + (g?.size ?? 0) + Number(ok) + contents.tensors.size + missing.length + new Twice().call(x).size + err.op.length + wrong.length;
}
