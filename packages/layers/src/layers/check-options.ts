// Layer constructors refuse option keys they do not know (a typo, or a PyTorch option not implemented).
import { ConvgradError } from '@convgrad/core';

export function checkLayerOptions(options: object | undefined, allowed: readonly string[], layer: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConvgradError(layer, `options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new ConvgradError(layer, `unknown option '${key}' (known: ${allowed.join(', ')})`);
  }
}
