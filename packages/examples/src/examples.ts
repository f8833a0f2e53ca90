// The list of examples: importing a module registers it. Add one import line per example.
import './edge-kernel/index.ts';
import './recover-multi/index.ts';
import './mnist/index.ts';
import './resnet/index.ts';

export { examples } from './registry.ts';
