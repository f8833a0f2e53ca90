// The chapter's experiment as a steppable object: z = conv2d(x, w) with the chosen stride and padding,
// loss = ½·mse(z, y), w ← w − lr·∂loss/∂w, stop when loss < tol (checked before the update, as the chapter
// and the example's fitConv do). One step at a time, so the page can interleave training and drawing.
import { conv2d, mseLoss, noGrad, randn, tensor, type Tensor } from '@convgrad/core';
import { CLOSE } from '@convgrad/examples/src/edge-kernel/experiment.ts';
import { compareClose } from '@convgrad/examples/src/shared/allclose.ts';

export interface EdgeSettings {
  image: Float64Array;
  size: number;
  target: number[][];
  stride: number;
  padding: number;
  lr: number;
  seed: number;
  tol?: number;
  maxIter?: number;
}

export type EdgeState = 'ready' | 'converged' | 'diverged' | 'max-iter';

export class EdgeTrainer {
  readonly x: Tensor;
  readonly wTrue: Tensor;
  readonly y: Tensor;
  readonly w: Tensor;
  readonly losses: number[] = [];
  iterations = 0;
  state: EdgeState = 'ready';
  readonly tol: number;
  readonly maxIter: number;
  private readonly conv: { stride: number; padding: number };

  constructor(readonly s: EdgeSettings) {
    this.tol = s.tol ?? 1e-7;
    this.maxIter = s.maxIter ?? 20_000;
    this.conv = { stride: s.stride, padding: s.padding };
    this.x = tensor(s.image, [1, 1, s.size, s.size]);
    this.wTrue = tensor(s.target.flat(), [1, 1, 3, 3]);
    this.y = noGrad(() => conv2d(this.x, this.wTrue, null, this.conv));
    this.w = randn([1, 1, 3, 3], { seed: s.seed, std: 0.1 }).requiresGrad_();
  }

  get done(): boolean {
    return this.state !== 'ready';
  }

  /** One iteration: the loss at the current w, then (unless it stops here) one gradient-descent update. */
  step(): void {
    if (this.done) return;
    const loss = mseLoss(conv2d(this.x, this.w, null, this.conv), this.y).mul(0.5);
    const l = loss.item();
    this.losses.push(l);
    if (!Number.isFinite(l)) { this.state = 'diverged'; return; }
    if (l < this.tol) { this.state = 'converged'; return; }
    if (this.iterations >= this.maxIter) { this.state = 'max-iter'; return; }
    loss.backward();
    const w = this.w, lr = this.s.lr;
    noGrad(() => w.data.set(w.sub(w.grad!.mul(lr)).data));
    w.grad = null;
    this.iterations++;
  }

  /** The prediction at the current w. */
  predict(): Tensor {
    return noGrad(() => conv2d(this.x, this.w, null, this.conv));
  }

  /** numpy.allclose of w against the target and of z against y (the chapter's atol 1e-2). */
  closeness(z = this.predict()): { wClose: boolean; yClose: boolean; wMaxDiff: number; yMaxDiff: number } {
    const wc = compareClose(this.w.data, this.wTrue.data, CLOSE);
    const yc = compareClose(z.data, this.y.data, CLOSE);
    return { wClose: wc.close, yClose: yc.close, wMaxDiff: wc.maxAbsDiff, yMaxDiff: yc.maxAbsDiff };
  }
}
