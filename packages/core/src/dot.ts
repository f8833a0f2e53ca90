// Graphviz DOT of the graph that produced a tensor, for inspection.
import { topologicalOrder } from './autograd.ts';
import { fmtShape } from './errors.ts';
import type { Tensor } from './tensor.ts';
import { checkOptions, checkTensor } from './validate.ts';

export function toDot(root: Tensor, options: { name?: string } = {}): string {
  checkTensor(root, 'toDot', 'root');
  checkOptions(options, 'toDot', ['name']);
  const lines = [`digraph ${JSON.stringify(options.name ?? 'convgrad')} {`, '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];'];
  const order = root.requiresGrad ? topologicalOrder([root]) : [root];
  const id = (t: Tensor) => `t${t.id}`;
  for (const t of order) {
    const node = t.gradFn;
    if (!node) {
      lines.push(`  ${id(t)} [shape=box, label=${JSON.stringify(`leaf ${fmtShape(t.shape)}${t.requiresGrad ? ' ∇' : ''}`)}];`);
      continue;
    }
    const attrs = node.attrs ? ' ' + Object.entries(node.attrs).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') : '';
    const freed = node.released ? ' (freed by backward)' : '';
    lines.push(`  ${id(t)} [shape=ellipse, label=${JSON.stringify(`${node.op}${attrs}${freed}\n${fmtShape(t.shape)}`)}];`);
    for (const input of node.inputs) {
      if (!input.requiresGrad) lines.push(`  ${id(input)} [shape=box, style=dashed, label=${JSON.stringify(`const ${fmtShape(input.shape)}`)}];`);
      lines.push(`  ${id(input)} -> ${id(t)};`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}
