import { report } from '../report.ts';
void report(async () => ({ todo: true }));
