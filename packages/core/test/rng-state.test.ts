// Rng.getState / setState: a restored generator continues exactly (uniforms, normals with a pending spare).
import { expect, it } from 'vitest';
import { Rng } from '../src/index.ts';

it('a generator restored from getState continues the same sequence, including a pending normal', () => {
  const a = new Rng(42);
  a.next();
  a.normal(); // leaves the second Box–Muller value pending
  const s = a.getState();
  expect(s.spare).not.toBeNull();
  const b = new Rng(7);
  b.setState(JSON.parse(JSON.stringify(s)));
  const draw = (r: Rng) => [r.normal(), r.next(), r.normal(), r.int(1000)];
  expect(draw(b)).toEqual(draw(a));
});

it('setState refuses a malformed state', () => {
  expect(() => new Rng().setState({ state: -1, spare: null })).toThrow(/^Rng\.setState: expected \{ state: a 32-bit unsigned integer/);
  expect(() => new Rng().setState({ state: 1, spare: NaN })).toThrow(/^Rng\.setState/);
});
