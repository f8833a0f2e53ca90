// When the wasm kernels cannot be loaded at all (here: every build reported missing), importing core
// warns once and keeps the js kernels; ready() resolves saying why; asking for wasm is refused by name.
import { describe, expect, it, vi } from 'vitest';

const warnings: string[] = [];
vi.hoisted(() => {
  const warn = console.warn;
  console.warn = (m: string) => (m.includes('wasm kernels unavailable') ? warnings.push(m) : warn(m));
});
vi.mock('../src/kernels/wasm/module.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/kernels/wasm/module.ts')>()),
  loadFirstSync: () => 'test: no build here',
}));

const { configure, conv2d, ConvgradError, getBackend, getConfig, listBackends, randn, ready, runtimeInfo } = await import('../src/index.ts');

describe('no wasm kernels', () => {
  it('keeps the js kernels with one warning; ready() says why', async () => {
    expect(getBackend().name).toBe('js');
    expect(listBackends()).toEqual(['js']);
    expect(warnings).toEqual(getConfig().backend === 'wasm' ? ['convgrad: wasm kernels unavailable, using the js kernels: test: no build here'] : []);
    const info = await ready();
    expect(info).toMatchObject({ backend: 'js', wasm: 'unavailable', variant: null, threads: 1, workersUsed: 0, reason: 'test: no build here' });
    expect(conv2d(randn([1, 2, 5, 5], { seed: 1 }), randn([3, 2, 3, 3], { seed: 2 })).shape).toEqual([1, 3, 3, 3]);
  });

  it('refuses backend wasm, naming the reason, and changes nothing', () => {
    configure({ backend: 'js', threads: 2 });
    expect(() => configure({ backend: 'wasm', threads: 1 })).toThrow(ConvgradError);
    expect(() => configure({ backend: 'wasm' })).toThrow(`configure: backend 'wasm' is unavailable: test: no build here`);
    expect(getConfig()).toMatchObject({ backend: 'js', threads: 2 });
    expect(runtimeInfo().backend).toBe('js');
  });
});
