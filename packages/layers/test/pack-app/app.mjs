// Runs in a fresh npm project that installed the packed tarballs, with plain `node app.mjs` (no tsx, no
// loader): what a user's first script does. Prints one JSON line of results for pack.test.ts to check.
// argv[2]: a directory to write a checkpoint file in; argv[3]: JSON { specifier: [names] } that must be exported.
import { join } from 'node:path';
import * as core from '@convgrad/core';
import * as testing from '@convgrad/core/testing';
import * as layers from '@convgrad/layers';
import { exportOnnx, importOnnx, loadOnnx, saveOnnx } from '@convgrad/onnx';

const { check, conv2d, ConvgradError, getBackend, mseLoss, noGrad, randn, ready, tensor } = core;
const { gradcheck } = testing;
const { Adam, Conv2d, CrossEntropyLoss, Flatten, Linear, loadCheckpoint, loadCheckpointFromBytes, MaxPool2d, ReLU, saveCheckpoint, Sequential, stateDictToBytes } = layers;

const [dir, wantedJson] = process.argv.slice(2);
const out = {};
await ready();
out.backend = getBackend().name;

// 1. The chapter's experiment: learn the horizontal-edge kernel from an image and its filtered copy.
const W_TRUE = [0, -1, 0, 0, 2, 0, 0, -1, 0];
const x = randn([1, 1, 32, 32], { seed: 1 });
const y = noGrad(() => conv2d(x, tensor(W_TRUE, [1, 1, 3, 3])));
const w = randn([1, 1, 3, 3], { seed: 0, std: 0.1, requiresGrad: true });
let iterations = 0, loss = Infinity;
for (; iterations < 5000; iterations++) {
  const l = mseLoss(conv2d(x, w), y).mul(0.5);
  loss = l.item();
  if (loss < 1e-7) break;
  l.backward();
  w.data.set(noGrad(() => w.sub(w.grad.mul(0.5))).data);
  w.grad = null;
}
out.edge = { iterations, loss, w: Array.from(w.data), maxAbsDiff: Math.max(...W_TRUE.map((v, i) => Math.abs(w.data[i] - v))) };

// 2. gradcheck of conv2d (stride 2, padding 1, bias) in float64, from @convgrad/core/testing.
const gx = randn([2, 2, 5, 6], { seed: 3, dtype: 'float64', requiresGrad: true });
const gw = randn([3, 2, 3, 3], { seed: 4, dtype: 'float64', requiresGrad: true });
const gb = randn([3], { seed: 5, dtype: 'float64', requiresGrad: true });
const report = gradcheck((a, k, b) => conv2d(a, k, b, { stride: 2, padding: 1 }), [gx, gw, gb]);
out.gradcheck = { ok: report.ok, maxAbsError: report.maxAbsError };

// 3. A small CNN learns horizontal against vertical bars with Adam.
const N = 32, S = 8;
const images = new Float32Array(N * S * S), labels = [];
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
for (let n = 0; n < N; n++) {
  const label = n % 2, at = 1 + Math.floor(rand() * (S - 2));
  labels.push(label);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
    images[n * S * S + i * S + j] = 0.3 * (rand() - 0.5) + ((label === 0 ? i : j) === at ? 1 : 0);
  }
}
const batch = tensor(images, [N, 1, S, S]);
const makeModel = (s) => new Sequential(new Conv2d(1, 4, 3, { padding: 1, seed: s }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 2, { seed: s + 1 }));
const model = makeModel(7);
const criterion = new CrossEntropyLoss();
const opt = new Adam(model.parameters(), { lr: 0.01 });
const losses = [];
for (let step = 0; step < 60; step++) {
  opt.zeroGrad();
  const l = criterion.call(model.call(batch), labels);
  losses.push(l.item());
  l.backward();
  opt.step();
}
const predict = (m) => { const z = noGrad(() => m.call(batch)); return labels.map((_, n) => (z.data[2 * n + 1] > z.data[2 * n] ? 1 : 0)); };
const predicted = predict(model);
out.cnn = { firstLoss: losses[0], lastLoss: losses.at(-1), accuracy: predicted.filter((p, n) => p === labels[n]).length / N };

// 4. Checkpoints: a file (Node) and bytes (anywhere) into fresh models, which then predict the same.
const path = join(dir, 'cnn.safetensors');
saveCheckpoint(path, model, { steps: '60' });
const fromFile = makeModel(100);
const fileReport = loadCheckpoint(path, fromFile);
const fromBytes = makeModel(200);
loadCheckpointFromBytes(stateDictToBytes(model), fromBytes);
const logits = (m) => Array.from(noGrad(() => m.call(batch)).data);
out.checkpoint = {
  metadata: fileReport.metadata,
  fileSame: JSON.stringify(logits(fromFile)) === JSON.stringify(logits(model)),
  bytesSame: JSON.stringify(logits(fromBytes)) === JSON.stringify(logits(model)),
};

// 4b. ONNX: the trained CNN out as bytes and as a file, back in as modules that predict the same.
const onnxPath = join(dir, 'cnn.onnx');
saveOnnx(onnxPath, model, batch);
const sameLogits = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 1e-5 * Math.max(1, Math.abs(b[i])));
out.onnx = {
  bytesSame: sameLogits(logits(importOnnx(exportOnnx(model, batch))), logits(model)),
  fileSame: sameLogits(logits(loadOnnx(onnxPath)), logits(model)),
};

// 5. check() from core throws the ConvgradError the extension guide promises.
try {
  check(false, 'softplus', 'x must be float64');
} catch (e) {
  out.check = { isConvgradError: e instanceof ConvgradError, message: e.message };
}

// 6. Every name the extension guide imports is exported by the installed packages.
const modules = { '@convgrad/core': core, '@convgrad/core/testing': testing, '@convgrad/layers': layers };
out.missing = Object.entries(JSON.parse(wantedJson)).flatMap(([spec, names]) => names.filter((n) => !(spec in modules) || !(n in modules[spec])).map((n) => `${spec}: ${n}`));
console.log(JSON.stringify(out));
