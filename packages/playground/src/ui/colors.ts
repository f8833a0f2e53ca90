// Color maps: gray for images, a diverging blue–white–red for signed values, and their legends.
import { h } from './dom.ts';

export type Rgb = [number, number, number];

/** 0 → black, 1 → white (clamped). */
export function gray(t: number): Rgb {
  const v = Math.round(255 * Math.min(1, Math.max(0, t)));
  return [v, v, v];
}

/** −1 → blue, 0 → white, +1 → red (clamped). */
export function diverging(t: number): Rgb {
  const a = Math.min(1, Math.abs(t));
  return t >= 0 ? [255, Math.round(255 * (1 - a * 0.8)), Math.round(255 * (1 - a * 0.85))]
    : [Math.round(255 * (1 - a * 0.85)), Math.round(255 * (1 - a * 0.6)), 255];
}

export const css = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;

/** A labelled gradient bar from lo to hi. */
export function legendBar(title: string, map: (t: number) => Rgb, lo: number, hi: number, signed: boolean): HTMLElement {
  const stops = Array.from({ length: 11 }, (_, i) => css(map(signed ? -1 + i / 5 : i / 10)));
  const bar = h('div', { class: 'bar', style: `background: linear-gradient(to right, ${stops.join(',')})` });
  const fmt = (v: number) => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toExponential(1) : v.toFixed(2));
  return h('div', {}, h('div', {}, title), bar, h('div', { style: 'display:flex;justify-content:space-between;width:152px' }, h('span', {}, fmt(lo)), h('span', {}, fmt(hi))));
}
