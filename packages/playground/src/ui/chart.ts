// A minimal line chart on a canvas: one or more series against their index, optional log-scale y.

export interface Series { values: readonly number[]; color: string; label: string }

export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], opts: { logY?: boolean; yMin?: number; yMax?: number } = {}): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height, L = 48, R = 8, T = 8, B = 20;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const tf = (v: number) => (opts.logY ? Math.log10(Math.max(v, 1e-30)) : v);
  let lo = Infinity, hi = -Infinity, n = 1;
  for (const s of series) {
    n = Math.max(n, s.values.length);
    for (const v of s.values) if (Number.isFinite(v) && (!opts.logY || v > 0)) { lo = Math.min(lo, tf(v)); hi = Math.max(hi, tf(v)); }
  }
  if (opts.yMin !== undefined) lo = tf(opts.yMin);
  if (opts.yMax !== undefined) hi = tf(opts.yMax);
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (opts.logY) { lo = Math.floor(lo); hi = Math.ceil(hi); }
  if (hi - lo < 1e-12) hi = lo + 1;
  const x = (i: number) => L + ((W - L - R) * i) / Math.max(1, n - 1);
  const y = (v: number) => T + (H - T - B) * (1 - (tf(v) - lo) / (hi - lo));
  ctx.strokeStyle = '#ddd';
  ctx.fillStyle = '#555';
  ctx.font = '10px sans-serif';
  const ticks = opts.logY ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const step = Math.max(1, Math.ceil(ticks.length / 6));
  ticks.forEach((t, i) => {
    if (i % step) return;
    const yy = T + (H - T - B) * (1 - (t - lo) / (hi - lo));
    ctx.beginPath(); ctx.moveTo(L, yy); ctx.lineTo(W - R, yy); ctx.stroke();
    ctx.fillText(opts.logY ? `1e${t}` : t.toFixed(2), 2, yy + 3);
  });
  ctx.fillText(`${n - 1}`, W - R - 20, H - 6);
  ctx.fillText('0', L, H - 6);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    // At most ~2 points per pixel column: long curves stay cheap to redraw.
    const every = Math.max(1, Math.floor(s.values.length / (2 * (W - L - R))));
    let started = false;
    for (let i = 0; i < s.values.length; i += every) {
      const v = s.values[i];
      if (!Number.isFinite(v) || (opts.logY && v <= 0)) continue;
      if (started) ctx.lineTo(x(i), y(v)); else { ctx.moveTo(x(i), y(v)); started = true; }
    }
    ctx.stroke();
  }
}
