// The playground page: three panels on the built @convgrad packages, and the scripted runs
// (?run=edge, ?run=mnist&images=N&epochs=E) whose JSON result goes to document.body.dataset.result.
import { ready, runtimeInfo } from '@convgrad/core';
import { BackwardPanel } from './backward/panel.ts';
import { EdgePanel } from './edge/panel.ts';
import { MnistPanel } from './mnist/panel.ts';
import { byId } from './ui/dom.ts';

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const edge = new EdgePanel();
  const backward = new BackwardPanel();
  const mnist = new MnistPanel();
  await ready();
  const info = runtimeInfo();
  byId('runtime').textContent = `kernels: ${info.backend}${info.backend === 'wasm' ? ` (${info.variant}, ${info.threads} thread${info.threads === 1 ? '' : 's'})` : ''}` +
    `; cross-origin isolated: ${globalThis.crossOriginIsolated === true}`;
  document.body.dataset.ready = 'true';
  backward.render();
  const run = params.get('run');
  if (run === null) return;
  let result: object;
  if (run === 'edge') {
    edge.applyParams(params);
    byId('edge').scrollIntoView();
    const r = await edge.train();
    result = { wAllclose: r.wAllclose, yAllclose: r.yAllclose, iterations: r.iterations, state: r.state, seconds: r.seconds, fps: r.fps, longestFrameMs: r.longestFrameMs };
  } else if (run === 'mnist') {
    byId('mnist').scrollIntoView();
    result = await mnist.scriptedRun(params);
  } else throw new Error(`?run=${run}: unknown (edge or mnist)`);
  document.body.dataset.result = JSON.stringify(result);
}

main().catch((e: unknown) => {
  console.error(e);
  document.body.dataset.result = JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
});
