// Panel 1: the experiment live. Training runs on the page's thread, one chunk per animation frame (the kernels
// themselves use Web Workers when the page is cross-origin isolated): the chunk's time budget adapts to the
// measured frame period (≤ 10 ms, shrinking while frames come slower than 30/s), and each chunk starts after the
// frame has been drawn, so the page redraws at 20+ frames/s and stays responsive.
import { css, diverging, gray, legendBar } from '../ui/colors.ts';
import { drawChart } from '../ui/chart.ts';
import { byId, fillSelect, fmt, h, nextFrame, yieldToBrowser } from '../ui/dom.ts';
import { drawMatrix, maxAbs } from '../ui/raster.ts';
import { IMAGE_PRESETS, IMAGE_SIZE, imageFromFile } from './images.ts';
import { KERNEL_PRESETS, type Kernel3 } from './kernels.ts';
import { EdgeTrainer } from './trainer.ts';

/** Training time per frame: starts at CHUNK_MS, ×0.7 while frames come slower than TARGET_FRAME_MS apart, ×1.1 back up to it otherwise. */
const CHUNK_MS = 10;
const MIN_CHUNK_MS = 1;
const TARGET_FRAME_MS = 1000 / 30;

/** fps: frames drawn while training per second, from their requestAnimationFrame timestamps; longestFrameMs: the longest gap between two. */
export interface EdgeResult { wAllclose: boolean; yAllclose: boolean; iterations: number; state: string; seconds: number; fps: number; longestFrameMs: number }

export class EdgePanel {
  private trainer!: EdgeTrainer;
  private running = false;
  private uploaded: Float64Array | null = null;
  private custom: Kernel3 = KERNEL_PRESETS['horizontal-edge'].w!.map((r) => [...r]);
  private drawPending = false;
  /** requestAnimationFrame timestamps of the frames drawn during the current run. */
  private frameTimes: number[] = [];
  private runStart = 0;
  private finished: ((r: EdgeResult) => void)[] = [];

  private readonly el = {
    image: byId('edge-image', HTMLSelectElement), upload: byId('edge-upload', HTMLInputElement),
    kernel: byId('edge-kernel', HTMLSelectElement), stride: byId('edge-stride', HTMLSelectElement),
    padding: byId('edge-padding', HTMLSelectElement), lr: byId('edge-lr', HTMLInputElement), seed: byId('edge-seed', HTMLInputElement),
    train: byId('edge-train', HTMLButtonElement), pause: byId('edge-pause', HTMLButtonElement),
    step: byId('edge-step', HTMLButtonElement), reset: byId('edge-reset', HTMLButtonElement),
    custom: byId('edge-custom'), customGrid: byId('edge-custom-grid'),
    iter: byId('edge-iter', HTMLOutputElement), loss: byId('edge-loss', HTMLOutputElement),
    wclose: byId('edge-wclose'), yclose: byId('edge-yclose'), state: byId('edge-state'),
    wtrue: byId('edge-wtrue'), w: byId('edge-w'), chart: byId('edge-chart', HTMLCanvasElement),
    x: byId('edge-x', HTMLCanvasElement), y: byId('edge-y', HTMLCanvasElement), z: byId('edge-z', HTMLCanvasElement),
    d: byId('edge-d', HTMLCanvasElement), dlegend: byId('edge-dlegend'), legend: byId('edge-legend'), section: byId('edge'),
  };

  constructor() {
    const e = this.el;
    fillSelect(e.image, Object.entries(IMAGE_PRESETS).map(([value, p]) => ({ value, label: p.label })), 'ring-cross');
    fillSelect(e.kernel, Object.entries(KERNEL_PRESETS).map(([value, p]) => ({ value, label: p.label })), 'horizontal-edge');
    this.buildCustomGrid();
    for (const c of [e.image, e.kernel, e.stride, e.padding, e.lr, e.seed]) c.addEventListener('change', () => this.reset());
    e.upload.addEventListener('change', async () => {
      const f = e.upload.files?.[0];
      if (!f) return;
      this.uploaded = await imageFromFile(f);
      if (![...e.image.options].some((o) => o.value === 'upload')) e.image.append(h('option', { value: 'upload' }, `uploaded: ${f.name}`));
      e.image.value = 'upload';
      this.reset();
    });
    e.train.addEventListener('click', () => void this.train());
    e.pause.addEventListener('click', () => this.pause());
    e.step.addEventListener('click', () => { this.pause(); this.trainer.step(); this.requestDraw(); });
    e.reset.addEventListener('click', () => this.reset());
    this.reset();
  }

  /** Sets controls from URL parameters (scripted runs): image, kernel, stride, padding, lr, seed. */
  applyParams(p: URLSearchParams): void {
    const set = (c: HTMLSelectElement | HTMLInputElement, key: string) => {
      const v = p.get(key);
      if (v === null) return;
      if (c instanceof HTMLSelectElement && ![...c.options].some((o) => o.value === v)) throw new Error(`?${key}=${v}: unknown value (one of ${[...c.options].map((o) => o.value).join(', ')})`);
      c.value = v;
    };
    const e = this.el;
    set(e.image, 'image'); set(e.kernel, 'kernel'); set(e.stride, 'stride'); set(e.padding, 'padding'); set(e.lr, 'lr'); set(e.seed, 'seed');
    this.reset();
  }

  private buildCustomGrid(): void {
    const inputs = this.custom.flatMap((row, i) => row.map((v, j) => {
      const inp = h('input', { type: 'number', step: 'any', value: String(v), 'aria-label': `custom kernel row ${i + 1} column ${j + 1}` });
      inp.addEventListener('change', () => {
        const x = Number(inp.value);
        if (Number.isFinite(x)) { this.custom[i][j] = x; this.reset(); }
      });
      return inp;
    }));
    this.el.customGrid.replaceChildren(...inputs);
  }

  private target(): Kernel3 {
    const k = KERNEL_PRESETS[this.el.kernel.value];
    return k.w ?? this.custom;
  }

  private image(): Float64Array {
    const v = this.el.image.value;
    if (v === 'upload' && this.uploaded) return this.uploaded;
    return IMAGE_PRESETS[v].make(IMAGE_SIZE);
  }

  reset(): void {
    this.pause();
    const e = this.el;
    e.custom.hidden = e.kernel.value !== 'custom';
    const lr = Number(e.lr.value), seed = Number(e.seed.value);
    this.trainer = new EdgeTrainer({
      image: this.image(), size: IMAGE_SIZE, target: this.target(), stride: Number(e.stride.value), padding: Number(e.padding.value),
      lr: Number.isFinite(lr) && lr > 0 ? lr : 0.5, seed: Number.isInteger(seed) && seed >= 0 ? seed : 0,
    });
    this.drawStatic();
    this.requestDraw();
  }

  pause(): void {
    this.running = false;
  }

  /** Trains until convergence (or pause); resolves with the result when training stops. */
  async train(): Promise<EdgeResult> {
    const result = new Promise<EdgeResult>((resolve) => this.finished.push(resolve));
    if (this.running) return result;
    const t = this.trainer;
    this.running = true;
    this.frameTimes = [];
    this.runStart = performance.now();
    this.el.train.disabled = true;
    this.el.pause.disabled = false;
    this.requestDraw();
    let budget = CHUNK_MS;
    let prev = await nextFrame();
    while (this.running && !t.done && t === this.trainer) {
      // after the frame's callbacks: a task, so the browser paints the frame before the chunk runs
      await yieldToBrowser();
      const t0 = performance.now();
      do t.step(); while (!t.done && performance.now() - t0 < budget);
      this.requestDraw();
      const now = await nextFrame();
      budget = now - prev > TARGET_FRAME_MS ? Math.max(MIN_CHUNK_MS, budget * 0.7) : Math.min(CHUNK_MS, budget * 1.1);
      prev = now;
    }
    this.running = false;
    this.el.train.disabled = false;
    this.el.pause.disabled = true;
    const seconds = (performance.now() - this.runStart) / 1000;
    const c = t.closeness();
    const ft = this.frameTimes;
    let longest = 0;
    for (let i = 1; i < ft.length; i++) longest = Math.max(longest, ft[i] - ft[i - 1]);
    const fps = ft.length > 1 ? ((ft.length - 1) * 1000) / (ft[ft.length - 1] - ft[0]) : 0;
    const r: EdgeResult = { wAllclose: c.wClose, yAllclose: c.yClose, iterations: t.iterations, state: t.state, seconds, fps, longestFrameMs: longest };
    this.el.section.dataset.fps = r.fps.toFixed(1);
    // drawn now, not on the next frame: the enabled Train button and the final state appear together
    this.draw();
    for (const f of this.finished.splice(0)) f(r);
    return r;
  }

  private requestDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame((ts) => {
      this.drawPending = false;
      if (this.running) this.frameTimes.push(ts);
      this.draw();
    });
  }

  /** What does not change while training: x, y, the target kernel, the legend. */
  private drawStatic(): void {
    const t = this.trainer, e = this.el;
    drawMatrix(e.x, t.x.data, t.s.size, t.s.size, gray);
    const [, , oh, ow] = t.y.shape;
    const m = maxAbs(t.y.data);
    drawMatrix(e.y, t.y.data, oh, ow, (v) => diverging(v / m));
    this.kernelGrid(e.wtrue, t.wTrue.data, 'target');
    e.legend.replaceChildren(h('div', { class: 'legend' },
      legendBar('x (gray)', gray, 0, 1, false),
      legendBar('y, z (signed)', diverging, -m, m, true)));
  }

  private kernelGrid(el: HTMLElement, w: ArrayLike<number>, name: string): void {
    const m = Math.max(maxAbs(w), 1e-9);
    el.replaceChildren(...Array.from(w, (v, i) => h('div', {
      style: `background:${css(diverging(v / m))}`, 'aria-label': `${name} row ${Math.floor(i / 3) + 1} column ${(i % 3) + 1}: ${fmt(v, 4)}`,
    }, fmt(v, 3))));
  }

  private draw(): void {
    const t = this.trainer, e = this.el;
    const z = t.predict();
    const [, , oh, ow] = z.shape;
    const m = maxAbs(t.y.data);
    drawMatrix(e.z, z.data, oh, ow, (v) => diverging(v / m));
    // |y − z| on its own scale (it shrinks by orders of magnitude while training), with its legend.
    const diff = z.data.map((v, i) => Math.abs(t.y.data[i] - v));
    const dm = maxAbs(diff);
    drawMatrix(e.d, diff, oh, ow, (v) => diverging(v / dm));
    e.dlegend.replaceChildren(legendBar('', (v) => diverging(Math.max(0, v)), 0, dm, false));
    this.kernelGrid(e.w, t.w.data, 'learned w');
    const c = t.closeness(z);
    e.iter.value = String(t.iterations);
    const last = t.losses[t.losses.length - 1];
    e.loss.value = last === undefined ? '–' : last.toExponential(3);
    e.wclose.textContent = `w allclose: ${c.wClose}`;
    e.yclose.textContent = `y allclose: ${c.yClose}`;
    e.wclose.classList.toggle('ok', c.wClose);
    e.yclose.classList.toggle('ok', c.yClose);
    e.state.textContent = this.running ? 'training…' : t.state === 'ready' ? (t.iterations ? 'paused' : 'ready')
      : t.state === 'converged' ? `converged (loss < ${t.tol})` : t.state === 'diverged' ? 'diverged: lower the learning rate' : `stopped after ${t.maxIter} iterations`;
    drawChart(e.chart, [{ values: t.losses, color: '#d33', label: 'loss' }], { logY: true });
  }
}
