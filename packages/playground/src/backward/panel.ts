// Panel 2: the conv2d backward rule step by step on a case the user sets, next to autograd, with hover
// links (a dX cell → the δ entries and kernel taps that produce it; a δ entry → what it feeds), and the
// recorded graph of one training step.
import { grad, mseLoss, toDot, conv2d, type Tensor } from '@convgrad/core';
import { byId, h } from '../ui/dom.ts';
import { computeBackward, maxAbsDiff, outputSize, type BackwardCase, type BackwardSteps } from './compute.ts';
import { graphSvg } from './graph-svg.ts';

type Classify = (a: number, b: number, i: number, j: number) => string;
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

export class BackwardPanel {
  private cells = new Map<string, HTMLTableCellElement>();
  private steps: BackwardSteps | null = null;
  private lit: HTMLTableCellElement[] = [];
  private readonly el = {
    h: byId('bw-h', HTMLSelectElement), w: byId('bw-w', HTMLSelectElement), k: byId('bw-k', HTMLSelectElement),
    s: byId('bw-s', HTMLSelectElement), p: byId('bw-p', HTMLSelectElement), cin: byId('bw-cin', HTMLSelectElement),
    cout: byId('bw-cout', HTMLSelectElement), seed: byId('bw-seed', HTMLInputElement),
    sizes: byId('bw-sizes'), steps: byId('bw-steps'), check: byId('bw-check'), graph: byId('bw-graph'), dot: byId('bw-dot'), section: byId('backward'),
  };

  constructor() {
    for (const sel of [this.el.h, this.el.w]) {
      sel.replaceChildren(...[2, 3, 4, 5, 6, 7, 8].map((n) => h('option', {}, String(n))));
      sel.value = '6';
    }
    this.el.w.value = '5';
    for (const c of [this.el.h, this.el.w, this.el.k, this.el.s, this.el.p, this.el.cin, this.el.cout, this.el.seed]) c.addEventListener('change', () => this.render());
    this.el.steps.addEventListener('mouseover', (ev) => this.hover(ev.target));
    this.el.steps.addEventListener('focusin', (ev) => this.hover(ev.target));
    this.el.steps.addEventListener('mouseleave', () => this.clear());
  }

  private readCase(): BackwardCase {
    const e = this.el, n = (s: HTMLSelectElement | HTMLInputElement) => Number(s.value);
    const seed = n(e.seed);
    return { h: n(e.h), w: n(e.w), k: n(e.k), s: n(e.s), p: n(e.p), cin: n(e.cin), cout: n(e.cout), seed: Number.isInteger(seed) && seed >= 0 ? seed : 1 };
  }

  render(): void {
    const c = this.readCase();
    this.cells.clear();
    this.lit = [];
    let st: BackwardSteps;
    try {
      st = computeBackward(c);
    } catch (err) {
      this.steps = null;
      this.el.steps.replaceChildren(h('p', { role: 'alert' }, (err as Error).message));
      this.el.section.dataset.case = JSON.stringify(c);
      delete this.el.section.dataset.dxManual;
      return;
    }
    this.steps = st;
    this.explainSizes(st);
    const { s, k } = c;
    const pe = Math.max(st.e, 0);
    const dpH = st.deltaPrime.shape[2], dpW = st.deltaPrime.shape[3];
    const inLattice = (i: number, j: number) => (i >= st.oh * s - s + 1 || j >= st.ow * s - s + 1 ? 'rem' : i % s || j % s ? 'ins' : '');
    const e = st.e;
    this.el.steps.replaceChildren(
      this.block('x', 'X (input)', st.x, () => ''),
      this.block('w', 'W', st.w, () => ''),
      this.block('delta', 'δ = ∂loss/∂Y', st.delta, () => '', true),
      this.block('dilated', `δ′: δ dilated by S=${s}${st.remH || st.remW ? ` + remainder rows/cols` : ''} (${dpH}×${dpW})`, st.deltaPrime, (_a, _b, i, j) => inLattice(i, j)),
      this.block('padded', e >= 0 ? `δ′ padded by K′−1−P = ${e}` : `K′−1−P = ${e} < 0: no padding (crop ${-e})`, st.padded, (_a, _b, i, j) => {
        const r = i - pe, q = j - pe;
        return r < 0 || q < 0 || r >= dpH || q >= dpW ? 'pad' : inLattice(r, q);
      }),
      this.block('wrot', 'rot180(W), in/out swapped', st.wRot, () => ''),
      this.block('dx', 'dX = padded ⋆ rot180(W)' + (e < 0 ? ` cropped by ${-e}` : ''), st.dx, () => '', true),
      this.block('dxauto', "autograd's dX", st.auto.dx, () => ''),
      this.block('dw', 'dW = X_pad ⋆ δ′', st.dw, () => ''),
      this.block('dwauto', "autograd's dW", st.auto.dw, () => ''),
      this.block('db', 'db = Σδ', st.db.reshape([1, 1, 1, c.cout]), () => ''),
      this.block('dbauto', "autograd's db", st.auto.db.reshape([1, 1, 1, c.cout]), () => ''),
      h('div', { class: 'step note' }, h('h4', {}, 'legend'), h('div', {}, 'hatched blue: zeros inserted by the dilation'), h('div', {}, 'hatched orange: remainder zeros'),
        h('div', {}, 'gray: padding'), h('div', {}, 'hover or focus (Tab) a δ or dX cell')),
    );
    const dDx = maxAbsDiff(st.dx, st.auto.dx), dDw = maxAbsDiff(st.dw, st.auto.dw), dDb = maxAbsDiff(st.db, st.auto.db);
    const same = dDx === 0 && dDw === 0 && dDb === 0;
    this.el.check.textContent = `rule vs autograd: max |ΔdX| = ${dDx}, max |ΔdW| = ${dDw}, max |Δdb| = ${dDb}${same ? ' — identical' : ''}`;
    const ds = this.el.section.dataset;
    ds.case = JSON.stringify(c);
    ds.dxManual = JSON.stringify(Array.from(st.dx.data));
    ds.dxAutograd = JSON.stringify(Array.from(st.auto.dx.data));
    ds.dwManual = JSON.stringify(Array.from(st.dw.data));
    ds.dwAutograd = JSON.stringify(Array.from(st.auto.dw.data));
    ds.remainder = String(st.remH > 0 || st.remW > 0);
    // The inputs too, so a test can recompute dX by the definition, independently of both.
    ds.inputs = JSON.stringify({ x: Array.from(st.x.data), w: Array.from(st.w.data), delta: Array.from(st.delta.data), oh: st.oh, ow: st.ow });
    void k;
    this.drawGraph(st);
  }

  private explainSizes(st: BackwardSteps): void {
    const { h: H, w: W, k: K, s: S, p: P } = st.c;
    const { oh: M, ow: N, remH, remW } = outputSize(st.c);
    const rem = remH || remW;
    this.el.sizes.textContent = `Y is M×N = ⌊(H+2P−K)/S⌋+1 = ${M}×${N}; (H+2P−K) mod S = ${remH}, (W+2P−K) mod S = ${remW}. ` +
      `δ′ must be (H+2P−K+1)×(W+2P−K+1) = ${H + 2 * P - K + 1}×${W + 2 * P - K + 1}: dilation gives (M−1)·S+1 = ${(M - 1) * S + 1}×${(N - 1) * S + 1}` +
      (rem ? `, and the remainder adds ${remH} zero row(s) and ${remW} zero column(s) at the bottom/right. The chapter's formulas differ here: its step 2 says (M·S)×(N·S) = ${M * S}×${N * S}, its matrices are (M−1)·S+1; neither is right when the remainder is not 0.`
        : `; no remainder, so the chapter's (M−1)·S+1 is right (its step 2's (M·S)×(N·S) = ${M * S}×${N * S} is not).`);
  }

  private block(name: string, title: string, t: Tensor, classify: Classify, focusable = false): HTMLElement {
    const [A, B, H, W] = t.shape;
    const chans: HTMLElement[] = [];
    for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) {
      const rows: HTMLElement[] = [];
      for (let i = 0; i < H; i++) {
        const tds: HTMLElement[] = [];
        for (let j = 0; j < W; j++) {
          const v = t.data[((a * B + b) * H + i) * W + j];
          const cls = classify(a, b, i, j) || (v === 0 ? 'zero' : '');
          const td = h('td', { class: cls, 'data-key': `${name}:${a}:${b}:${i}:${j}` }, num(v));
          if (focusable) { td.tabIndex = 0; td.setAttribute('aria-label', `${name} [${a},${b}] row ${i} column ${j}: ${num(v)}`); }
          this.cells.set(`${name}:${a}:${b}:${i}:${j}`, td);
          tds.push(td);
        }
        rows.push(h('tr', {}, ...tds));
      }
      chans.push(h('div', {}, h('div', { class: 'note' }, A * B > 1 ? `[${a},${b}]` : ''), h('table', { class: 'mat', 'aria-label': `${title} [${a},${b}]` }, h('tbody', {}, ...rows))));
    }
    return h('div', { class: 'step', id: `bw-${name}` }, h('h4', {}, title), h('div', { class: 'chan' }, ...chans));
  }

  private clear(): void {
    for (const td of this.lit) td.classList.remove('hl', 'src');
    this.lit = [];
  }

  private mark(key: string, cls: 'hl' | 'src'): void {
    const td = this.cells.get(key);
    if (!td) return;
    td.classList.add(cls);
    this.lit.push(td);
  }

  private hover(target: EventTarget | null): void {
    if (!(target instanceof HTMLTableCellElement) || !this.steps) return;
    const key = target.dataset.key ?? '';
    const [name, sa, sb, si, sj] = key.split(':');
    const [a, b, i, j] = [sa, sb, si, sj].map(Number);
    if (name !== 'dx' && name !== 'delta') return;
    this.clear();
    const st = this.steps, { k: K, s: S, p: P, cin, cout } = st.c;
    const pe = Math.max(st.e, 0), crop = Math.max(-st.e, 0);
    if (name === 'dx') {
      // dX[c, i, j] = Σ_o Σ_uv padded[o, i+u+crop, j+v+crop] · rot180(W)[c, o, u, v]
      const c = b;
      this.mark(`dx:0:${c}:${i}:${j}`, 'hl');
      this.mark(`dxauto:0:${c}:${i}:${j}`, 'hl');
      for (let o = 0; o < cout; o++) for (let u = 0; u < K; u++) for (let v = 0; v < K; v++) {
        const R = i + u + crop, C = j + v + crop, r = R - pe, q = C - pe;
        const real = r >= 0 && q >= 0 && r % S === 0 && q % S === 0 && r / S < st.oh && q / S < st.ow;
        this.mark(`padded:0:${o}:${R}:${C}`, real ? 'src' : 'hl');
        if (!real) continue;
        this.mark(`dilated:0:${o}:${r}:${q}`, 'src');
        this.mark(`delta:0:${o}:${r / S}:${q / S}`, 'src');
        this.mark(`wrot:${c}:${o}:${u}:${v}`, 'hl');
        this.mark(`w:${o}:${c}:${K - 1 - u}:${K - 1 - v}`, 'hl');
      }
    } else {
      // δ[o, a, b] was computed from X[:, aS−P … aS−P+K−1, …] and flows to those dX cells, to dW[o] and db[o].
      const o = b;
      this.mark(key, 'src');
      this.mark(`dilated:0:${o}:${i * S}:${j * S}`, 'src');
      this.mark(`padded:0:${o}:${i * S + pe}:${j * S + pe}`, 'src');
      for (let c = 0; c < cin; c++) for (let u = 0; u < K; u++) for (let v = 0; v < K; v++) {
        const xi = i * S + u - P, xj = j * S + v - P;
        this.mark(`w:${o}:${c}:${u}:${v}`, 'hl');
        this.mark(`dw:${o}:${c}:${u}:${v}`, 'hl');
        if (xi < 0 || xj < 0 || xi >= st.c.h || xj >= st.c.w) continue;
        this.mark(`dx:0:${c}:${xi}:${xj}`, 'hl');
        this.mark(`x:0:${c}:${xi}:${xj}`, 'hl');
      }
      this.mark(`db:0:0:0:${o}`, 'hl');
      void a;
    }
  }

  /** One training step's graph: ½·mse(conv2d(x, w, b), y), and its gradients recorded with createGraph. */
  private drawGraph(st: BackwardSteps): void {
    const { s, p } = st.c;
    const x = st.x.detach().requiresGrad_(), w = st.w.detach().requiresGrad_(), b = st.b.detach().requiresGrad_();
    const target = st.y.detach();
    const loss = mseLoss(conv2d(x, w, b, { stride: s, padding: p }), target).mul(0.5);
    const grads = grad(loss, [x, w, b], { createGraph: true });
    const names = new Map<Tensor, string>([[x, 'x'], [w, 'w'], [b, 'b'], [target, 'y (target)']]);
    this.el.graph.replaceChildren(graphSvg([loss, ...grads], names));
    this.el.dot.textContent = toDot(loss, { name: 'training step' });
  }
}
