// Anomaly detection: the first NaN/inf of a forward or backward pass names the op, its input shapes
// and the line of this file that ran the op.
import { afterEach, describe, expect, it } from 'vitest';
import { AnomalyError, ConvgradError, detectAnomaly, grad, isAnomalyEnabled, setDetectAnomaly, sqrt, tensor } from '../src/index.ts';

/** The line number of the caller (this file's own line numbers, as stack traces show them). */
function thisLine(): number {
  const frame = new Error().stack!.split('\n')[2];
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}

/** Runs fn, expecting an AnomalyError, and returns it. */
function anomalyOf(fn: () => unknown): AnomalyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AnomalyError);
    expect(e).toBeInstanceOf(ConvgradError);
    return e as AnomalyError;
  }
  throw new Error('expected an AnomalyError, nothing was thrown');
}

function expectSite(err: AnomalyError, line: number): void {
  expect(err.callSite).toMatch(new RegExp(`anomaly\\.test\\.ts:${line}:\\d+$`));
  expect(err.message).toContain(`anomaly.test.ts:${line}:`);
}

afterEach(() => setDetectAnomaly(false));

describe('forward pass', () => {
  it('log of a negative value names log, its input shape and the calling line', () => {
    const x = tensor([[1, 2, -3], [4, 5, 6]], undefined, { requiresGrad: true });
    let line = 0;
    const err = anomalyOf(() => detectAnomaly(() => {
      line = thisLine() + 1;
      x.mul(2).log().sum(); // the NaN is born in log
    }));
    expect(err.op).toBe('log');
    expect(err.phase).toBe('forward');
    expect(err.inputShapes).toEqual([[2, 3]]);
    expect(err.message).toMatch(/^log: anomaly detected in the forward pass: the output holds NaN at index 2 \(shape \[2, 3\]\); input shapes \[2, 3\]/);
    expectSite(err, line);
  });

  it('0/0 names div and both input shapes, even without any tensor requiring grad', () => {
    const a = tensor([0, 1]), b = tensor([[0, 1], [2, 2]]);
    let line = 0;
    const err = anomalyOf(() => detectAnomaly(() => {
      line = thisLine() + 1;
      return a.div(b);
    }));
    expect(err.op).toBe('div');
    expect(err.inputShapes).toEqual([[2], [2, 2]]);
    expect(err.message).toContain('NaN at index 0');
    expectSite(err, line);
  });

  it('a NaN already in the data is blamed on the first op that reads it, with a note that the input held it', () => {
    const data = tensor([1, Number.NaN, 3]);
    const w = tensor([2, 2, 2], undefined, { requiresGrad: true });
    const err = anomalyOf(() => detectAnomaly(() => data.mul(w)));
    expect(err.op).toBe('mul');
    expect(err.message).toContain('input 0 already holds NaN at index 1');
  });

  it('inf is reported as inf / -inf', () => {
    const err = anomalyOf(() => detectAnomaly(() => tensor([1, 0]).log()));
    expect(err.message).toContain('-inf at index 1');
    const err2 = anomalyOf(() => detectAnomaly(() => tensor([1e30], undefined, {}).mul(tensor([1e30]))));
    expect(err2.op).toBe('mul');
    expect(err2.message).toContain('the output holds inf at index 0');
  });
});

describe('backward pass', () => {
  it('a finite forward whose backward makes inf (sqrt at 0) names sqrt and the line that called it', () => {
    const x = tensor([4, 0, 1], undefined, { requiresGrad: true });
    let line = 0;
    const err = anomalyOf(() => detectAnomaly(() => {
      line = thisLine() + 1;
      const y = sqrt(x).sum();
      y.backward();
    }));
    expect(err.op).toBe('sqrt');
    expect(err.phase).toBe('backward');
    expect(err.inputShapes).toEqual([[3]]);
    expect(err.message).toMatch(/^sqrt: anomaly detected in the backward pass: its backward rule's 'div' produced inf at index 1/);
    expectSite(err, line);
  });

  it('a gradient that overflows float32 (d(x/y)/dy = −x/y²) names div, also through grad()', () => {
    const x = tensor([1, 1], undefined, { requiresGrad: true });
    const y = tensor([1, 1e-30], undefined, { requiresGrad: true });
    let line = 0;
    const err = anomalyOf(() => detectAnomaly(() => {
      line = thisLine() + 1;
      const q = x.div(y); // forward: 1e30, finite in float32
      grad(q.sum(), [x, y]);
    }));
    expect(err.op).toBe('div');
    expect(err.phase).toBe('backward');
    expect(err.inputShapes).toEqual([[2], [2]]);
    expect(err.message).toMatch(/produced -?inf at index 1/);
    expectSite(err, line);
  });

  it('gradients that overflow only when summed over two paths name the op that made the tensor they reach', () => {
    const x = tensor([1e-30], undefined, { requiresGrad: true });
    let line = 0;
    const err = anomalyOf(() => detectAnomaly(() => {
      line = thisLine() + 1;
      const h = x.mul(1); // its gradient is 3e38 along each path below: finite alone, inf when summed
      h.mul(3e38).add(h.mul(3e38)).sum().backward();
    }));
    expect(err.op).toBe('mul');
    expect(err.phase).toBe('backward');
    expect(err.message).toMatch(/the sum of the gradients reaching its output along several paths holds inf at index 0/);
    expectSite(err, line);
    const leaf = anomalyOf(() => detectAnomaly(() => x.mul(3e38).add(x.mul(3e38)).sum().backward()));
    expect(leaf.op).toBe('leaf');
    expect(leaf.message).toContain('reaching a leaf of shape [1] along several paths holds inf');
  });

  it('a non-finite gradOutput is caught before it reaches the first rule', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const err = anomalyOf(() => detectAnomaly(() => x.mul(3).backward(tensor([1, Number.POSITIVE_INFINITY]))));
    expect(err.op).toBe('mul');
    expect(err.message).toContain('the gradient of its output already holds inf at index 1');
  });

  it('a graph recorded without anomaly detection still gets the op named, with an unknown call site', () => {
    const x = tensor([0, 1], undefined, { requiresGrad: true });
    const y = sqrt(x).sum(); // recorded with the mode off
    const err = anomalyOf(() => detectAnomaly(() => y.backward()));
    expect(err.op).toBe('sqrt');
    expect(err.callSite).toBeNull();
    expect(err.message).toContain('recorded without anomaly detection');
  });
});

describe('switching', () => {
  it('is off by default: NaN flows through forward and backward silently', () => {
    expect(isAnomalyEnabled()).toBe(false);
    const x = tensor([-1, 0], undefined, { requiresGrad: true });
    const y = sqrt(x).sum();
    y.backward();
    expect(Number.isNaN(y.item())).toBe(true);
    expect(x.grad!.data[1]).toBe(Number.POSITIVE_INFINITY);
  });

  it('detectAnomaly restores the previous mode on return and on throw; setDetectAnomaly is a global switch', () => {
    expect(detectAnomaly(() => isAnomalyEnabled())).toBe(true);
    expect(isAnomalyEnabled()).toBe(false);
    expect(() => detectAnomaly(() => tensor([-1]).log())).toThrow(AnomalyError);
    expect(isAnomalyEnabled()).toBe(false);
    setDetectAnomaly(true);
    const err = anomalyOf(() => tensor([-1]).log());
    expect(err.op).toBe('log');
    expect(detectAnomaly(() => 1)).toBe(1);
    expect(isAnomalyEnabled()).toBe(true); // restored to the global setting
  });

  it('an async function keeps the mode on until it settles', async () => {
    const seen: boolean[] = [];
    await detectAnomaly(async () => {
      await Promise.resolve();
      seen.push(isAnomalyEnabled());
    });
    expect(seen).toEqual([true]);
    expect(isAnomalyEnabled()).toBe(false);
  });

  it('finite passes are unchanged in anomaly mode (same values and gradients)', () => {
    const run = () => {
      const x = tensor([0.5, 2, 3], undefined, { requiresGrad: true });
      const y = x.log().mul(x).sum();
      y.backward();
      return [y.item(), ...x.grad!.data] as number[];
    };
    expect(detectAnomaly(run)).toEqual(run());
  });
});

