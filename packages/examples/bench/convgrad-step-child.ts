// One timed run of the convgrad step (mnist-step.ts's timeConvgradSteps) in a node process of its own,
// started by convgrad-step-process.ts: argv[2] is {settings, dataDir} as JSON; the last stdout line is the
// run's StepTiming as JSON.
import { ready } from '@convgrad/core';
import { loadMnist } from '../src/mnist/data.ts';
import { timeConvgradSteps, type StepSettings } from './mnist-step.ts';

const { settings, dataDir } = JSON.parse(process.argv[2] ?? '{}') as { settings: StepSettings; dataDir: string };
await ready();
process.stdout.write(`${JSON.stringify(timeConvgradSteps(loadMnist('train', dataDir), settings))}\n`);
process.exit(0); // the kernel workers are unref'd; exit at once anyway
