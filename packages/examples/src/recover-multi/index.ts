import { registerExample } from '../registry.ts';

registerExample({
  name: 'recover-multi',
  summary: '(in progress)',
  async run() {
    process.stderr.write('recover-multi: not implemented yet\n');
    return 1;
  },
});
