// convgrad side of the benchmark: forward, and forward+backward through the graph
// (y = conv2d(x, w, b); y.backward(g) gives dX, dW, db for dy = g, the same dy the tfjs runners use), on one
// kernel backend. Environment-neutral: it gets the core module as an argument, so the browser bench page
// (packages/browser-tests) runs it on the built package.
import type * as Core from '../src/index.ts';
import type { ConvCase } from './cases.ts';
import type { Runner } from './tfjs-runner.ts';

export type ConvgradApi = Pick<typeof Core, 'tensor' | 'noGrad' | 'conv2d' | 'setBackend'>;
export type CaseData = { x: Float32Array; w: Float32Array; b: Float32Array; g: Float32Array };

/** The convgrad runner over `core`: the package's sources here, its built dist in the browser bench page. */
export function makeConvgradRunner(core: ConvgradApi, backend: string, c: ConvCase, data: CaseData): Runner {
  const [n, cin, h, w, cout, k] = [c.n, c.cin, c.h, c.w, c.cout, c.k];
  const opts = { stride: c.stride, padding: c.pad };
  const x0 = core.tensor(data.x, [n, cin, h, w]);
  const w0 = core.tensor(data.w, [cout, cin, k, k]);
  const b0 = core.tensor(data.b, [cout]);
  const x = core.tensor(data.x, [n, cin, h, w], { requiresGrad: true });
  const wt = core.tensor(data.w, [cout, cin, k, k], { requiresGrad: true });
  const b = core.tensor(data.b, [cout], { requiresGrad: true });
  const out0 = core.noGrad(() => core.conv2d(x0, w0, b0, opts));
  const g = core.tensor(data.g, [...out0.shape]);
  const use = () => core.setBackend(backend);
  const train = () => {
    x.grad = wt.grad = b.grad = null;
    core.conv2d(x, wt, b, opts).backward(g); // dy = g, as the tfjs runners get it (no loss ops on one side only)
  };
  return {
    how: 'y = conv2d(x, w, b); y.backward(g), i.e. dy = g (the chapter\'s backward from graph ops)',
    forward: () => {
      use();
      core.conv2d(x0, w0, b0, opts);
    },
    train: () => {
      use();
      train();
    },
    grads: () => {
      use();
      train();
      return { dx: x.grad!.data as Float32Array, dw: wt.grad!.data as Float32Array, db: b.grad!.data as Float32Array };
    },
    dispose: () => {},
  };
}
