// The list of examples: importing a module registers it. Add one import line per example.
import './edge-kernel/index.ts';
import './recover-multi/index.ts';
// MNIST example (owned by the MNIST engineer): add `import './mnist/index.ts';` here.

export { examples } from './registry.ts';
