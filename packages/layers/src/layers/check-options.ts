// Layer constructors refuse option keys they do not know (a typo, or a PyTorch option not implemented):
// checks.ts's checkOptions, with the argument order the layers of issue 11 use.
import { checkOptions } from '../checks.ts';

export function checkLayerOptions(options: object | undefined, allowed: readonly string[], layer: string): void {
  checkOptions(options, layer, allowed);
}
