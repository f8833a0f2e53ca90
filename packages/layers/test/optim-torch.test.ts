// Optimizer trajectories, state dicts and gradient clipping against PyTorch 1.13.1 (float64 reference
// values in fixtures/torch-reference.json; the script that made them is beside it).
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, type NestedArray } from '@convgrad/core';
import { Adam, AdamW, clipGradNorm, SGD, type Optimizer, type ParamsInput } from '../src/index.ts';
import { expectClose } from './helpers.ts';
import { camel, REF } from './torch-reference.ts';

const f64 = { dtype: 'float64' as const };
const KINDS: Record<string, new (p: ParamsInput, o: any) => Optimizer> = { SGD, Adam, AdamW };

/** The test problem of the reference script: g = a·(θ − c) + 0.1·θ³, set as each parameter's gradient. */
function setGrads(params: Tensor[]): void {
  params.forEach((p, i) => {
    const c = tensor(REF.center[i] as NestedArray, undefined, f64).data, a = tensor(REF.curvature[i] as NestedArray, undefined, f64).data;
    const g = new Float64Array(p.size);
    for (let j = 0; j < p.size; j++) g[j] = a[j] * (p.data[j] - c[j]) + 0.1 * p.data[j] ** 3;
    p.grad = new Tensor(g, p.shape);
  });
}

function build(c: any): { params: Tensor[]; opt: Optimizer } {
  const params = (REF.init as NestedArray[]).map((v) => tensor(v, undefined, { ...f64, requiresGrad: true }));
  const arg = c.groups === null ? params : c.groups.map((g: any) => ({ params: g.params.map((i: number) => params[i]), ...camel(g.settings) }));
  return { params, opt: new KINDS[c.kind](arg, camel(c.defaults)) };
}

describe('optimizer trajectories match PyTorch 1.13.1 (float64, 6 steps)', () => {
  it.each(Object.keys(REF.optimizers))('%s', (name) => {
    const c = REF.optimizers[name];
    const { params, opt } = build(c);
    for (let k = 0; k < REF.steps; k++) {
      setGrads(params);
      opt.step();
      params.forEach((p, i) => expectClose(p.data, c.trajectory[k][i], 1e-13, `${name}: step ${k + 1}, parameter ${i}`));
    }
    // the state dict holds PyTorch's per-parameter state (index → step, buffers)
    const sd = opt.stateDict();
    expect(Object.keys(sd.state).sort()).toEqual(Object.keys(c.state).sort());
    for (const [i, st] of Object.entries(c.state as Record<string, Record<string, number | number[]>>)) {
      const mine = sd.state[Number(i)];
      for (const [k, v] of Object.entries(camel(st))) {
        if (k === 'step') expect(mine.step, `${name}: step of ${i}`).toBe(v);
        else expectClose(mine.buffers[k].data, v as number[], 1e-13, `${name}: ${k} of parameter ${i}`);
      }
      expect(Object.keys(mine.buffers).sort()).toEqual(Object.keys(camel(st)).filter((k) => k !== 'step').sort());
    }
  });
});

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_', () => {
  it.each((REF.clip as any[]).map((c): [string, any] => [`max ${c.maxNorm}, p = ${c.normType}`, c]))('%s', (_name, c) => {
    const params = (REF.clipGrads as NestedArray[]).map((g) => {
      const p = tensor(g, undefined, { ...f64, requiresGrad: true });
      p.grad = tensor(g, undefined, f64);
      return p;
    });
    const total = clipGradNorm(params, c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
    expectClose([total], [c.total], 1e-14, 'total norm');
    params.forEach((p, i) => expectClose(p.grad!.data, c.grads[i], 1e-14, `gradient ${i}`));
  });
});
