// Progress: a bar with rate and ETA on a TTY, plain lines elsewhere or under CI (fake clock, captured output).
import { describe, expect, it } from 'vitest';
import { ConvgradError } from '@convgrad/core';
import { createProgress, formatDuration, formatMetrics, isCI, type ProgressOptions } from '../src/index.ts';

/** A progress display writing into an array, on a clock that advances `stepMs` per update. */
function capture(options: Partial<ProgressOptions> & { total: number; isTTY: boolean }, stepMs = 10) {
  const out: string[] = [];
  let t = 0;
  const p = createProgress({ write: (s) => out.push(s), now: () => t, ...options });
  const advance = () => { t += stepMs; };
  return { out, p, advance, setTime: (ms: number) => { t = ms; } };
}

describe('plain lines (not a TTY)', () => {
  it('prints one line per 1/lines of the run with metrics, rate and ETA, and no duplicate at finish', () => {
    const { out, p, advance } = capture({ total: 100, isTTY: false, lines: 4, label: 'epoch 1/2' });
    for (let i = 1; i <= 100; i++) {
      advance();
      p.update(i, { loss: 1 / i, acc: `${i}%` });
    }
    p.finish();
    expect(out).toEqual([
      'epoch 1/2 25/100 (25%) loss 0.04000 acc 25% | 100 it/s, ETA 0:01\n',
      'epoch 1/2 50/100 (50%) loss 0.02000 acc 50% | 100 it/s, ETA 0:01\n',
      'epoch 1/2 75/100 (75%) loss 0.01333 acc 75% | 100 it/s, ETA 0:00\n',
      'epoch 1/2 100/100 (100%) loss 0.01000 acc 100% | 100 it/s, ETA 0:00\n',
    ]);
  });

  it('finish prints the final state when the run stops early, with the elapsed time; CI forces lines on a TTY', () => {
    const { out, p, advance } = capture({ total: 1000, isTTY: true, ci: true, lines: 2, unit: 'batch' }, 500);
    expect(p.mode).toBe('lines');
    for (let i = 1; i <= 600; i++) { advance(); p.tick({ loss: 0.5 }); }
    p.finish({ loss: 0.25 });
    p.finish();
    p.update(700);
    expect(out).toEqual([
      '500/1000 (50%) loss 0.5000 | 2.00 batch/s, ETA 4:10\n',
      '600/1000 (60%) loss 0.2500 | 2.00 batch/s, 5:00 elapsed\n',
    ]);
  });

  it('lines: 0 prints only what log() and finish() write', () => {
    const logged: string[] = [];
    const { out, p } = capture({ total: 10, isTTY: false, lines: 0, log: (l) => logged.push(l) });
    for (let i = 1; i <= 10; i++) p.update(i);
    p.log('iter 5 loss 1');
    p.finish();
    expect(out).toEqual([]);
    expect(logged).toEqual(['iter 5 loss 1']);
  });
});

describe('bar (TTY)', () => {
  it('redraws in place at most every redrawMs, always at the last step, and ends with a newline', () => {
    const { out, p, advance } = capture({ total: 50, isTTY: true, width: 10, redrawMs: 100 });
    expect(p.mode).toBe('bar');
    for (let i = 1; i <= 50; i++) { advance(); p.update(i, { loss: 0.123456 }); }
    expect(out.length).toBe(5 + 1); // t = 10 ms (first), then every 100 ms: 110, 210, 310, 410, and the last step at 500
    expect(out.every((s) => s.startsWith('\r\x1b[K'))).toBe(true);
    expect(out[0]).toBe('\r\x1b[K[----------]   2% 1/50 | loss 0.1235 | 100 it/s, ETA 0:00');
    expect(out[2]).toBe('\r\x1b[K[####------]  42% 21/50 | loss 0.1235 | 100 it/s, ETA 0:00');
    expect(out[5]).toBe('\r\x1b[K[##########] 100% 50/50 | loss 0.1235 | 100 it/s, ETA 0:00');
    p.finish();
    expect(out.slice(6)).toEqual(['\r\x1b[K[##########] 100% 50/50 | loss 0.1235 | 100 it/s, 0:01 elapsed', '\n']);
  });

  it('log() erases the bar, writes the line and redraws the bar', () => {
    const logged: string[] = [];
    const { out, p, advance } = capture({ total: 4, isTTY: true, width: 4, label: 'fit', log: (l) => logged.push(l) }, 1000);
    advance();
    p.update(1);
    p.log('iter 1 loss 2');
    expect(logged).toEqual(['iter 1 loss 2']);
    expect(out).toEqual([
      '\r\x1b[Kfit [#---]  25% 1/4 | 1.00 it/s, ETA 0:03',
      '\r\x1b[K',
      '\r\x1b[Kfit [#---]  25% 1/4 | 1.00 it/s, ETA 0:03',
    ]);
  });
});

describe('helpers and checks', () => {
  it('formats durations, metrics and reads CI like other tools', () => {
    expect([0, 59.4, 61, 3599, 3600, 3661, Number.NaN].map(formatDuration)).toEqual(['0:00', '0:59', '1:01', '59:59', '1:00:00', '1:01:01', '--:--']);
    expect(formatMetrics({ loss: 0.000123456, step: 3, acc: '99.1%' })).toBe('loss 0.0001235 step 3 acc 99.1%');
    expect([{}, { CI: 'true' }, { CI: '1' }, { CI: 'false' }, { CI: '0' }, { CI: '' }].map(isCI)).toEqual([false, true, true, false, false, false]);
  });

  it('rejects a bad total, bad lines and unknown options', () => {
    const write = () => {};
    expect(() => createProgress({ total: -1, write, isTTY: false })).toThrow(/^Progress: total must be a non-negative integer, got -1/);
    expect(() => createProgress({ total: 1.5, write, isTTY: false })).toThrow(ConvgradError);
    expect(() => createProgress({ total: 1, write, isTTY: false, lines: -2 })).toThrow(/lines must be a non-negative integer/);
    expect(() => createProgress({ total: 1, write, isTTY: false, color: true } as never)).toThrow(/^Progress: unknown option 'color'/);
  });
});
