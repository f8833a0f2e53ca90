// A 10×10 confusion matrix: rows are the true digits, columns the predicted ones.

export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes = 10): number[][] {
  if (labels.length !== predictions.length) throw new RangeError(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predictions[i]]++;
  return m;
}

/** Fixed-width text with per-class recall on the right and totals underneath. */
export function formatConfusion(m: readonly (readonly number[])[]): string {
  const k = m.length;
  const total = m.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  const w = Math.max(4, String(total).length + 1);
  const cell = (v: number | string) => String(v).padStart(w);
  const lines = [`true\\pred${Array.from({ length: k }, (_, j) => cell(j)).join('')}${'recall'.padStart(9)}`];
  m.forEach((row, i) => {
    const n = row.reduce((a, b) => a + b, 0);
    const recall = n > 0 ? `${((100 * row[i]) / n).toFixed(2)}%` : '-';
    lines.push(`${String(i).padStart(9)}${row.map(cell).join('')}${recall.padStart(9)}`);
  });
  const colSums = Array.from({ length: k }, (_, j) => m.reduce((s, r) => s + r[j], 0));
  lines.push(`${'total'.padStart(9)}${colSums.map(cell).join('')}`);
  return lines.join('\n');
}
