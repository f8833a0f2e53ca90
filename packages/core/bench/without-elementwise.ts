// Runs the examples' CLI with the wasm elementwise/optimizer kernels removed from the wasm backend (the
// ops then run their js loops, as before these kernels): the "before" side of an A/B on the same build.
// An entry script, not a preload (--import), so the CLI shares this module graph.
// Run: npx tsx --conditions=source packages/core/bench/without-elementwise.ts mnist --limit 12000 …
import { wasmBackend } from '../src/kernels/wasm/index.ts';

if (!wasmBackend) throw new Error('wasm kernels unavailable');
const be = wasmBackend as unknown as Record<string, unknown>;
for (const k of ['leakyRelu', 'stepScale', 'binary', 'smooth', 'smoothGrad', 'adamUpdate', 'sgdUpdate']) delete be[k];
process.on('exit', () => console.log(`(wasm elementwise kernels removed; calls that reached them: ${wasmBackend!.stats.elementwise})`));
const { main } = await import('../../examples/src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
