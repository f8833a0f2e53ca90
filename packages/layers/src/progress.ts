// A progress display for training loops: on a terminal, one bar redrawn in place with named
// metrics, the rate and the ETA; elsewhere (a pipe, a log file, CI) plain lines at fixed fractions
// of the run. Environment-neutral: the caller passes where text goes and whether it is a TTY.
import { ConvgradError } from '@convgrad/core';

export type Metrics = Readonly<Record<string, number | string>>;

export interface ProgressOptions {
  /** Steps in the run (batches, iterations); the bar and the ETA measure against it. */
  total: number;
  /** Where the bar or the plain progress lines are written (text, including '\r' / '\n'). */
  write: (text: string) => void;
  /** True when `write` goes to a terminal: draw a bar. */
  isTTY: boolean;
  /** Running under CI (see `isCI`): plain lines even on a TTY. */
  ci?: boolean;
  /** Text before the bar or line, e.g. `epoch 2/3`. */
  label?: string;
  /** Where `log(line)` sends a permanent line (default: `write`, with a newline added). */
  log?: (line: string) => void;
  /** Plain mode: lines per run, one each time another 1/lines of `total` is done (default 10; 0: none). */
  lines?: number;
  /** Bar mode: at most one redraw per this many milliseconds (default 100; the last step always draws). */
  redrawMs?: number;
  /** Bar width in characters (default 24). */
  width?: number;
  /** Name of a step in the rate, `${unit}/s` (default 'it'). */
  unit?: string;
  /** Clock in milliseconds (default performance.now); tests pass a fake one. */
  now?: () => number;
}

/** True when the environment says it is CI (`CI` set to anything but '', '0' or 'false'), as most tools read it. */
export function isCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

/** `loss 0.1234 acc 98.10%`: numbers to 4 significant digits, strings as given. */
export function formatMetrics(metrics: Metrics): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v}`)
    .join(' ');
}

function formatRate(perSecond: number, unit: string): string {
  const v = perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
  return `${v} ${unit}/s`;
}

const ERASE_LINE = '\r\x1b[K';
const KNOWN_OPTIONS = new Set(['total', 'write', 'isTTY', 'ci', 'label', 'log', 'lines', 'redrawMs', 'width', 'unit', 'now']);

export class Progress {
  /** 'bar' on a terminal outside CI, 'lines' otherwise. */
  readonly mode: 'bar' | 'lines';
  private readonly start: number;
  private done = 0;
  private metrics: Metrics = {};
  private lastDraw = -Infinity;
  private linesPrinted = 0;
  private lastLineAt = -1;
  private drawn = false;
  private finished = false;

  constructor(private readonly o: ProgressOptions) {
    for (const key of Object.keys(o)) {
      if (!KNOWN_OPTIONS.has(key)) throw new ConvgradError('Progress', `unknown option '${key}' (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    }
    if (!Number.isInteger(o.total) || o.total < 0) throw new ConvgradError('Progress', `total must be a non-negative integer, got ${o.total}`);
    if (typeof o.write !== 'function') throw new ConvgradError('Progress', 'write must be a function');
    const lines = o.lines ?? 10;
    if (!Number.isInteger(lines) || lines < 0) throw new ConvgradError('Progress', `lines must be a non-negative integer, got ${lines}`);
    this.mode = o.isTTY && !o.ci ? 'bar' : 'lines';
    this.start = this.now();
  }

  private now(): number {
    return (this.o.now ?? (() => performance.now()))();
  }

  /** Steps done so far and the metrics to show (kept until replaced). */
  update(done: number, metrics?: Metrics): void {
    if (this.finished) return;
    this.done = Math.max(0, Math.min(done, this.o.total));
    if (metrics) this.metrics = metrics;
    const t = this.now();
    if (this.mode === 'bar') {
      if (t - this.lastDraw >= (this.o.redrawMs ?? 100) || this.done === this.o.total) this.draw(t);
      return;
    }
    const lines = this.o.lines ?? 10;
    if (lines === 0 || this.o.total === 0) return;
    const due = Math.floor((this.done * lines) / this.o.total);
    if (due > this.linesPrinted) {
      this.linesPrinted = due;
      this.printLine(t);
    }
  }

  /** One more step done. */
  tick(metrics?: Metrics): void {
    this.update(this.done + 1, metrics);
  }

  /** A permanent line (a result, a log entry) that the bar does not overwrite. */
  log(line: string): void {
    if (this.mode === 'bar' && this.drawn) this.o.write(ERASE_LINE);
    if (this.o.log) this.o.log(line);
    else this.o.write(`${line}\n`);
    if (this.mode === 'bar' && this.drawn && !this.finished) this.draw(this.now());
  }

  /**
   * Ends the display: the bar is drawn a last time with the elapsed time and left on its line; plain
   * mode prints the final state unless its last line showed it (or `lines` is 0).
   */
  finish(metrics?: Metrics): void {
    if (this.finished) return;
    if (metrics) this.metrics = metrics;
    const t = this.now();
    this.finished = true;
    if (this.mode === 'bar') {
      this.draw(t);
      this.o.write('\n');
    } else if ((this.o.lines ?? 10) > 0 && this.lastLineAt !== this.done) {
      this.printLine(t);
    }
  }

  /** The text of the bar or line for the current state at time `t` (ms). */
  render(t = this.now()): string {
    const { total } = this.o;
    const seconds = (t - this.start) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const timing = this.finished
      ? `${formatRate(rate, this.o.unit ?? 'it')}, ${formatDuration(seconds)} elapsed`
      : `${formatRate(rate, this.o.unit ?? 'it')}, ETA ${rate > 0 ? formatDuration((total - this.done) / rate) : '--:--'}`;
    const pct = total > 0 ? Math.floor((100 * this.done) / total) : 100;
    const metrics = formatMetrics(this.metrics);
    const label = this.o.label ? `${this.o.label} ` : '';
    if (this.mode === 'lines') return `${label}${this.done}/${total} (${pct}%)${metrics ? ` ${metrics}` : ''} | ${timing}`;
    const width = this.o.width ?? 24;
    const filled = total > 0 ? Math.round((width * this.done) / total) : width;
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    return `${label}${bar} ${String(pct).padStart(3)}% ${this.done}/${total}${metrics ? ` | ${metrics}` : ''} | ${timing}`;
  }

  private draw(t: number): void {
    this.lastDraw = t;
    this.drawn = true;
    this.o.write(`${ERASE_LINE}${this.render(t)}`);
  }

  private printLine(t: number): void {
    this.lastLineAt = this.done;
    this.o.write(`${this.render(t)}\n`);
  }
}

/** A progress display (see ProgressOptions): `update(done, metrics)`, `tick()`, `log(line)`, `finish()`. */
export function createProgress(options: ProgressOptions): Progress {
  return new Progress(options);
}
