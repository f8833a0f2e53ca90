// Text formatting shared by the examples' reports.

/** Rows of a matrix in numpy's style: `[[ 0.000000 -1.000000]\n [ ...]]`, `digits` decimals. */
export function formatMatrix(values: ArrayLike<number>, rows: number, cols: number, digits = 6): string {
  const cells = Array.from(values, (v) => (Object.is(v, -0) ? 0 : v).toFixed(digits));
  const w = Math.max(...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = cells.slice(r * cols, (r + 1) * cols).map((c) => c.padStart(w)).join(' ');
    lines.push(`${r === 0 ? '[[' : ' ['}${row}]${r === rows - 1 ? ']' : ''}`);
  }
  return lines.join('\n');
}

/** A loss in scientific notation with 6 significant digits. */
export function formatLoss(v: number): string {
  return Number.isFinite(v) ? v.toExponential(5) : String(v);
}
