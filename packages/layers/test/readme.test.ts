// The extending guide in README.md quotes test/extending.test.ts verbatim; keep them in sync.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('README.md quotes test/extending.test.ts exactly', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = readFileSync(new URL('./extending.test.ts', import.meta.url), 'utf8');
  const block = /<!-- begin: test\/extending\.test\.ts -->\n```ts\n([\s\S]*?)```\n<!-- end: test\/extending\.test\.ts -->/.exec(readme);
  expect(block, 'README.md has no quoted extending.test.ts block').not.toBeNull();
  expect(block![1]).toBe(code);
});
