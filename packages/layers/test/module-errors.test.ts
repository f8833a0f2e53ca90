// An error thrown inside a module names the module's path from the module that was called.
import { describe, expect, it } from 'vitest';
import { AnomalyError, ConvgradError, detectAnomaly, log, randn, sqrt, tensor, type Tensor } from '@convgrad/core';
import { Conv2d, Flatten, Linear, Module, ModuleList, modulePathOf, ReLU, Sequential } from '../src/index.ts';

/** Throws whatever it is given, from its forward. */
class Thrower extends Module {
  constructor(readonly make: () => unknown) { super(); }
  forward(x: Tensor): Tensor {
    throw this.make();
    return x;
  }
}

class Log extends Module {
  forward(x: Tensor): Tensor {
    return log(x);
  }
}

class Net extends Module {
  features = new Sequential(new Conv2d(1, 2, 3, { seed: 1 }), new ReLU(), new Flatten(), new Linear(7, 2, { seed: 2 }));
  forward(x: Tensor): Tensor {
    return this.features.call(x);
  }
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('module paths in errors', () => {
  it('a shape error in a nested Sequential names features.3 (Linear) and stays a ConvgradError with its op', () => {
    const net = new Net();
    const e = caught(() => net.call(randn([2, 1, 4, 4], { seed: 3 }))); // 2·2·2 = 8 features, Linear wants 7
    expect(e).toBeInstanceOf(ConvgradError);
    expect(e.message).toMatch(/^features\.3 \(Linear\): Linear: /);
    expect((e as ConvgradError).op).toBe('Linear');
    expect(modulePathOf(e)).toBe('features.3');
    expect(e.stack!.startsWith(`ConvgradError: ${e.message}`)).toBe(true);
  });

  it('keeps the error object: its class, cause and own fields; nothing is added for the called module itself', () => {
    class MyError extends Error { code = 42; }
    const cause = new Error('root cause');
    const err = new MyError('custom', { cause });
    const m = new Thrower(() => err);
    expect(caught(() => m.call(randn([1])))).toBe(err); // thrown by the module that was called: unchanged
    expect(err.message).toBe('custom');
    const outer = new Sequential(new ReLU(), new Sequential(new ReLU(), new Thrower(() => new MyError('deep', { cause }))));
    const e = caught(() => outer.call(randn([1])));
    expect(e).toBeInstanceOf(MyError);
    expect(e.message).toBe('1.1 (Thrower): deep');
    expect(e.cause).toBe(cause);
    expect((e as MyError).code).toBe(42);
  });

  it('custom modules, ModuleList children and modules whose forward is called directly all get their dotted names', () => {
    class Tower extends Module {
      blocks = new ModuleList([new Linear(3, 3, { seed: 1 }), new Linear(3, 3, { seed: 2 }), new Linear(4, 3, { seed: 3 })]);
      forward(x: Tensor): Tensor {
        for (const b of this.blocks) x = b.call(x);
        return x;
      }
    }
    class Model extends Module {
      encoder = new Tower();
      head = new Linear(3, 1, { seed: 4 });
      forward(x: Tensor): Tensor {
        return this.head.call(this.encoder.forward(x)); // encoder.forward, not call: still found below the model
      }
    }
    const e = caught(() => new Model().call(randn([2, 3], { seed: 5 })));
    expect(e.message).toMatch(/^encoder\.blocks\.2 \(Linear\): Linear: /);
  });

  it('a non-Error throw passes through untouched; an unregistered module is named as such', () => {
    const s = new Sequential(new Thrower(() => 'a string'));
    expect(caught(() => s.call(randn([1])))).toBe('a string');
    const hidden = new Thrower(() => new ConvgradError('op', 'boom'));
    class Holder extends Module {
      private readonly _hidden = hidden; // leading underscore: not picked up as a child
      forward(x: Tensor): Tensor { return this._hidden.call(x); }
    }
    expect(caught(() => new Sequential(new Holder()).call(randn([1]))).message).toBe('0.<unregistered Thrower> (Thrower): op: boom');
  });

  it('an anomaly in a layer gets the path and keeps the op and the caller\'s line of this file', () => {
    const net = new Sequential(new Linear(2, 2, { seed: 1 }), new Sequential(new ReLU(), new Log()));
    const x = randn([1, 2], { seed: 2 }).mul(0).sub(1); // relu(−…) = 0 → log(0) = −inf
    const e = caught(() => detectAnomaly(() => net.call(x)));
    expect(e).toBeInstanceOf(AnomalyError);
    expect((e as AnomalyError).op).toBe('log');
    expect(e.message).toMatch(/^1\.1 \(Log\): log: anomaly detected in the forward pass/);
    expect((e as AnomalyError).callSite).toMatch(/module-errors\.test\.ts:\d+:\d+$/);
  });

  it('a backward anomaly names the module whose forward ran the op, and the caller\'s line', () => {
    class Root extends Module {
      forward(x: Tensor): Tensor {
        return sqrt(x);
      }
    }
    const net = new Sequential(new Linear(2, 2, { seed: 1 }), new Sequential(new ReLU(), new Root()));
    const x = tensor([[1, 1]]).mul(-100); // seed 1: a negative Linear output → relu 0 → sqrt(0), whose backward divides by 0
    const e = caught(() => detectAnomaly(() => net.call(x).sum().backward())) as AnomalyError;
    expect(e).toBeInstanceOf(AnomalyError);
    expect([e.op, e.phase, e.context]).toEqual(['sqrt', 'backward', 'module 1.1 (Root)']);
    expect(e.message).toMatch(/sqrt was called at .*module-errors\.test\.ts:\d+:\d+ in module 1\.1 \(Root\)$/);
    const alone = caught(() => detectAnomaly(() => new Root().call(tensor([0], undefined, { requiresGrad: true })).sum().backward())) as AnomalyError;
    expect(alone.context).toBe('the called module (Root)');
  });

  it('an error caught inside a forward is not renamed; rethrown, it gets the whole path', () => {
    class Catcher extends Module {
      inner = new Sequential(new Thrower(() => new Error('boom')));
      seen = '';
      constructor(readonly rethrow: boolean) { super(); }
      forward(x: Tensor): Tensor {
        try {
          this.inner.call(x);
        } catch (e) {
          this.seen = (e as Error).message;
          if (this.rethrow) throw e;
        }
        return x;
      }
    }
    const quiet = new Catcher(false);
    new Sequential(quiet).call(randn([1]));
    expect(quiet.seen).toBe('boom');
    const loud = new Catcher(true);
    expect(caught(() => new Sequential(new ReLU(), loud).call(randn([1]))).message).toBe('1.inner.0 (Thrower): boom');
    expect(loud.seen).toBe('boom');
  });
});
