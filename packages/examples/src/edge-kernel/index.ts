import { registerExample } from '../registry.ts';

registerExample({
  name: 'edge-kernel',
  summary: '(in progress)',
  async run() {
    process.stderr.write('edge-kernel: not implemented yet\n');
    return 1;
  },
});
