// A 3×5 bitmap font (upper-case letters, digits, a little punctuation) for chart labels.
// Each glyph is 5 rows of 3 bits, top row first; lower case draws as upper case.
const GLYPHS: Record<string, string> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111',
  '4': '101101111001001', '5': '111100111001111', '6': '111100111101111', '7': '111001010010010',
  '8': '111101111101111', '9': '111101111001111',
  A: '010101111101101', B: '110101110101110', C: '011100100100011', D: '110101101101110',
  E: '111100110100111', F: '111100110100100', G: '011100101101011', H: '101101111101101',
  I: '111010010010111', J: '001001001101010', K: '101101110101101', L: '100100100100111',
  M: '101111111101101', N: '110101101101101', O: '010101101101010', P: '110101110100100',
  Q: '010101101110011', R: '110101110101101', S: '011100010001110', T: '111010010010010',
  U: '101101101101111', V: '101101101101010', W: '101101111111101', X: '101101010101101',
  Y: '101101010010010', Z: '111001010100111',
  ' ': '000000000000000', '-': '000000111000000', '+': '000010111010000', '.': '000000000000010',
  ',': '000000000010100', ':': '000010000010000', '/': '001001010100100', '(': '010100100100010',
  ')': '010001001001010', '%': '101001010100101', '_': '000000000000111', '=': '000111000111000',
  '?': '111001010000010', '|': '010010010010010', '#': '101111101111101', '*': '000101010101000',
};

export const GLYPH_W = 3;
export const GLYPH_H = 5;

/** The 15 bits of a character's glyph ('?' for characters the font lacks). */
export function glyph(ch: string): string {
  return GLYPHS[ch.toUpperCase()] ?? GLYPHS['?'];
}

/** Width in pixels of `text` drawn at `scale` (one blank column between glyphs). */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_W + 1) - 1) * scale;
}

/** Calls `plot(x, y)` for every lit pixel of `text` with its top-left corner at (x0, y0). */
export function drawText(text: string, x0: number, y0: number, scale: number, plot: (x: number, y: number) => void): void {
  let cx = x0;
  for (const ch of text) {
    const bits = glyph(ch);
    for (let r = 0; r < GLYPH_H; r++) {
      for (let c = 0; c < GLYPH_W; c++) {
        if (bits[r * GLYPH_W + c] !== '1') continue;
        for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) plot(cx + c * scale + dx, y0 + r * scale + dy);
      }
    }
    cx += (GLYPH_W + 1) * scale;
  }
}
