// The recorded graph as a picture: the nodes `topologicalOrder` returns (the walk `toDot` prints), laid out
// in columns by their depth from the leaves, edges from each node's gradFn.inputs. Plain SVG, no graphviz.
import { topologicalOrder, type Tensor } from '@convgrad/core';

const NS = 'http://www.w3.org/2000/svg';
const COL_W = 150, ROW_H = 46, BOX_W = 132, BOX_H = 34;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const shapeText = (t: Tensor) => `[${t.shape.join('×')}]`;

function attrText(attrs: Readonly<Record<string, unknown>> | undefined): string {
  if (!attrs) return '';
  const keep = Object.entries(attrs).filter(([k, v]) => !(k === 'dilation' && Array.isArray(v) && v.every((x) => x === 1)));
  return keep.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ');
}

/** An SVG drawing of the graph behind `roots`; `names` labels leaves (x, w, …). */
export function graphSvg(roots: readonly Tensor[], names: ReadonlyMap<Tensor, string>): SVGSVGElement {
  const order = topologicalOrder(roots);
  const depth = new Map<Tensor, number>();
  const leaves = new Set<Tensor>();
  for (const t of order) {
    const inputs = t.gradFn?.inputs ?? [];
    for (const i of inputs) if (!depth.has(i)) { depth.set(i, 0); leaves.add(i); }
    depth.set(t, inputs.length ? Math.max(...inputs.map((i) => depth.get(i)! + 1)) : 0);
  }
  const nodes = [...depth.keys()];
  const cols: Tensor[][] = [];
  for (const t of nodes) (cols[depth.get(t)!] ??= []).push(t);
  const pos = new Map<Tensor, { x: number; y: number }>();
  cols.forEach((col, c) => col.forEach((t, r) => pos.set(t, { x: 10 + c * COL_W, y: 10 + r * ROW_H })));
  const width = 20 + cols.length * COL_W, height = 20 + Math.max(...cols.map((c) => c.length)) * ROW_H;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `computational graph with ${nodes.length} nodes` });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#888' }));
  defs.append(marker);
  root.append(defs);
  for (const t of nodes) {
    const to = pos.get(t)!;
    for (const i of t.gradFn?.inputs ?? []) {
      const from = pos.get(i)!;
      root.append(svg('path', {
        d: `M ${from.x + BOX_W} ${from.y + BOX_H / 2} C ${from.x + BOX_W + 12} ${from.y + BOX_H / 2}, ${to.x - 12} ${to.y + BOX_H / 2}, ${to.x} ${to.y + BOX_H / 2}`,
        fill: 'none', stroke: '#999', 'stroke-width': 1, 'marker-end': 'url(#arrow)',
      }));
    }
  }
  const rootSet = new Set(roots);
  for (const t of nodes) {
    const { x, y } = pos.get(t)!;
    const g = svg('g', {});
    const op = t.gradFn?.op;
    const isRule = op !== undefined && ['dilate2d', 'pad2d', 'rot180', 'subsample2d', 'slice'].includes(op);
    const fill = !op ? (t.requiresGrad ? '#dbe9fb' : '#eee') : rootSet.has(t) ? '#c9ecd0' : isRule ? '#fff2cc' : '#fff';
    g.append(svg('rect', { x, y, width: BOX_W, height: BOX_H, rx: op ? 14 : 2, fill, stroke: op ? '#777' : '#4a7bd0', 'stroke-dasharray': !op && !t.requiresGrad ? '3 2' : '' }));
    const title = op ? `${op} ${attrText(t.gradFn!.attrs)}` : `${names.get(t) ?? (t.requiresGrad ? 'leaf' : 'const')}`;
    g.append(svg('text', { x: x + BOX_W / 2, y: y + 14, 'text-anchor': 'middle', 'font-size': 10, 'font-family': 'sans-serif' }, title.length > 26 ? title.slice(0, 25) + '…' : title));
    g.append(svg('text', { x: x + BOX_W / 2, y: y + 27, 'text-anchor': 'middle', 'font-size': 9, fill: '#555', 'font-family': 'sans-serif' }, `${shapeText(t)}${!op && t.requiresGrad ? ' ∇' : ''}`));
    g.append(svg('title', {}, title));
    root.append(g);
  }
  return root;
}
