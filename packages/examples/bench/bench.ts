// `pnpm bench` (the repository root): the conv2d cases (packages/core/bench/conv-bench.ts: convgrad,
// tfjs-cpu, tfjs-wasm, PyTorch) and the MNIST whole-step bench (step-bench.ts: convgrad, PyTorch) in one
// run, one report; `--md FILE` also writes it as markdown. PyTorch takes part when python3 imports torch,
// and the report says so when it does not. `--help` lists the options. Lives in the examples package
// because the step bench trains the example's network (core's bench must not depend on layers).
import { endLoadLine, machineLines, runConvBench, type ConvResult } from '../../core/bench/conv-bench.ts';
import { writeFileAtomically } from '../../core/bench/write-report.ts';
import { BENCH_USAGE, parseBenchArgs } from './bench-args.ts';
import type { StepResult } from './step-bench.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(BENCH_USAGE);
    return;
  }
  const args = parseBenchArgs(argv);
  const head = machineLines(`pnpm bench ${argv.join(' ')}`);
  for (const l of head) console.log(l);
  const log = (l: string) => console.log(l);

  let conv: ConvResult | null = null, step: StepResult | null = null;
  if (args.parts.includes('conv')) {
    console.log('\n— conv2d cases —');
    conv = await runConvBench(args.conv, args.torch, log);
    if (!conv.gradientsAgree) process.exitCode = 1;
  }
  if (args.parts.includes('step')) {
    console.log('\n— MNIST training step —');
    // Loaded only now: the main thread loads no implementation while the conv workers are timed.
    const { runStepBench } = await import('./step-bench.ts');
    step = await runStepBench(args.step, args.torch, log);
  }

  const section = (title: string, r: { header: string[]; report: string }) => [`## ${title}`, '', ...r.header.map((l) => l + '  '), '', r.report, ''];
  const report = [
    ...head.map((l) => l + '  '),
    '',
    ...(conv ? section('conv2d forward and forward+backward', conv) : []),
    ...(step ? section('MNIST LeNet training step (seconds per epoch)', step) : []),
    endLoadLine(),
  ].join('\n');
  console.log('\n' + report);
  if (args.md) writeFileAtomically(args.md, `# Benchmarks\n\n${report}\n`);
}

main().then(
  () => process.exit(process.exitCode ?? 0), // the conv workers and the wasm backend's pool must not keep the process alive
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
