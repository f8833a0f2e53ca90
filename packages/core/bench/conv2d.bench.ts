// `pnpm --filter @convgrad/core bench`: the conv2d cases alone (conv-bench.ts). The root `pnpm bench`
// runs them beside the MNIST step bench (packages/examples/bench/bench.ts) and takes the same options.
//
// Options: --cases a,b,c,d  --reps N (timed runs, default 30; fewer when the budget runs out)  --backends js,wasm (convgrad backends)
//          --no-tfjs-cpu  --no-tfjs-wasm  --budget MS (per measurement, default 4000)  --md FILE (also write the report)
//          --no-torch  --python PATH (the interpreter for the PyTorch anchor; default $CONVGRAD_PYTHON, /usr/bin/python3, python3)
import { extractOptions } from './args.ts';
import { CONV_USAGE, endLoadLine, machineLines, parseConvArgs, runConvBench } from './conv-bench.ts';
import { defaultPython } from './torch-client.ts';
import { writeFileAtomically } from './write-report.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: pnpm --filter @convgrad/core bench ${CONV_USAGE} [--no-torch] [--python PATH] [--md FILE]`);
    return;
  }
  const { values, flags, rest } = extractOptions(argv, ['--md', '--python'], ['--no-torch']);
  const md = values.get('--md') ?? null, python = values.get('--python') ?? defaultPython();
  const opts = parseConvArgs(rest);
  const head = machineLines(`pnpm --filter @convgrad/core bench ${argv.join(' ')}`);
  for (const l of head) console.log(l);
  const r = await runConvBench(opts, flags.has('--no-torch') ? null : { python }, (l) => console.log(l));
  if (!r.gradientsAgree) process.exitCode = 1;
  const report = [...[...head, ...r.header].map((l) => l + '  '), '', r.report, '', endLoadLine()].join('\n');
  console.log('\n' + report);
  if (md) writeFileAtomically(md, `# conv2d benchmark\n\n${report}\n`);
}

main().then(
  () => process.exit(process.exitCode ?? 0), // the benchmark workers (and the wasm backend's pool in one) must not keep the process alive
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
