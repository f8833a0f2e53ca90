// The PyTorch reference values (fixtures/torch-reference.json, made by fixtures/torch-reference.py with
// PyTorch 1.13.1), read with their PyTorch option names mapped to convgrad's.
import { readFileSync } from 'node:fs';

export const REF = JSON.parse(readFileSync(new URL('./fixtures/torch-reference.json', import.meta.url), 'utf8'));

const NAMES: Record<string, string> = {
  weight_decay: 'weightDecay', momentum_buffer: 'momentumBuffer', exp_avg: 'expAvg', exp_avg_sq: 'expAvgSq', max_exp_avg_sq: 'maxExpAvgSq',
};

/** PyTorch's snake_case keys as convgrad's camelCase. */
export function camel(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [NAMES[k] ?? k, v]));
}
