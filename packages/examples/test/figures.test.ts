import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTick, renderLineChart, writeGrayPng, writeLineChartPng } from '../src/figures/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'convgrad-figures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const decode = (path: string) => PNG.sync.read(readFileSync(path));

describe('writeGrayPng', () => {
  it('property: decodes back to the right size with every pixel at round((v − min)/(max − min)·255), clamped', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 }),
      (h, w, scale, seed) => {
        let s = seed;
        const values = Array.from({ length: h * w }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2);
        const min = -1, max = 1.5;
        const path = join(dir, 'gray.png');
        writeGrayPng(path, values, h, w, { min, max, scale });
        const png = decode(path);
        expect([png.width, png.height]).toEqual([w * scale, h * scale]);
        for (let y = 0; y < h * scale; y++) {
          for (let x = 0; x < w * scale; x++) {
            const v = values[Math.floor(y / scale) * w + Math.floor(x / scale)];
            const want = Math.round(Math.min(1, Math.max(0, (v - min) / (max - min))) * 255);
            const o = 4 * (y * png.width + x);
            expect([png.data[o], png.data[o + 1], png.data[o + 2], png.data[o + 3]]).toEqual([want, want, want, 255]);
          }
        }
      },
    ), { numRuns: 15 });
  });

  it('defaults min/max to the data range (the darkest value black, the brightest white)', () => {
    const path = join(dir, 'range.png');
    writeGrayPng(path, [3, 5, 7, 4], 2, 2);
    const png = decode(path);
    expect(Array.from({ length: 4 }, (_, i) => png.data[4 * i])).toEqual([0, 128, 255, 64]);
  });

  it('rejects a size that does not match the values, and non-positive sizes', () => {
    expect(() => writeGrayPng(join(dir, 'bad.png'), [1, 2, 3], 2, 2)).toThrow(/3 values do not fill 2×2/);
    expect(() => writeGrayPng(join(dir, 'bad.png'), [], 0, 2)).toThrow(/h must be a positive integer/);
    expect(() => writeGrayPng(join(dir, 'bad.png'), [1, 2], 1, 2, { scale: 0.5 })).toThrow(/scale must be a positive integer/);
    expect(readdirSync(dir)).not.toContain('bad.png');
  });
});

describe('writeLineChartPng', () => {
  it('writes a PNG of the requested size with the series drawn in its colour', () => {
    const path = join(dir, 'chart.png');
    const values = Array.from({ length: 300 }, (_, i) => Math.exp(-i / 30));
    writeLineChartPng(path, [{ name: 'loss', values, color: '#ff0000' }, { name: 'other', values: values.map((v) => v / 2), color: '#00ff00' }],
      { logY: true, title: 'Loss', width: 500, height: 300, xLabel: 'iteration' });
    const png = decode(path);
    expect([png.width, png.height]).toEqual([500, 300]);
    let red = 0, green = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const [r, g, b] = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2]];
      if (r === 255 && g === 0 && b === 0) red++;
      if (r === 0 && g === 255 && b === 0) green++;
    }
    expect(red).toBeGreaterThan(300); // a 2-px line across the plot, plus the legend
    expect(green).toBeGreaterThan(300);
  });

  it('skips values a log axis cannot show, and draws empty series without failing', () => {
    const img = renderLineChart([{ name: 'a', values: [1, 0, -1, NaN, 0.1] }, { name: 'empty', values: [] }], { logY: true });
    expect([img.width, img.height]).toEqual([640, 400]);
    expect(renderLineChart([{ name: 'flat', values: [2, 2, 2] }]).width).toBe(640);
  });

  it('rejects a canvas too small for axes, and a malformed colour', () => {
    expect(() => renderLineChart([{ name: 'a', values: [1] }], { width: 50 })).toThrow(/at least 160×120/);
    expect(() => renderLineChart([{ name: 'a', values: [1], color: 'red' }])).toThrow(/'#rrggbb'/);
  });

  it('formats tick labels compactly', () => {
    expect(formatTick(0, 0.5)).toBe('0');
    expect(formatTick(2.5, 0.5)).toBe('2.5');
    expect(formatTick(1500, 500)).toBe('1500');
    expect(formatTick(0.0002, 0.0001)).toBe('0.0002');
    expect(formatTick(2e-7, 1e-7)).toBe('2.0E-7');
  });
});
