// Target kernels of the experiment: the chapter's horizontal-edge detector and other classic 3×3 filters.
import { W_TRUE } from '@convgrad/examples/src/edge-kernel/experiment.ts';

export type Kernel3 = number[][];

export const KERNEL_PRESETS: Readonly<Record<string, { label: string; w: Kernel3 | null }>> = {
  'horizontal-edge': { label: 'horizontal edge (the chapter)', w: W_TRUE },
  'vertical-edge': { label: 'vertical edge', w: [[0, 0, 0], [-1, 2, -1], [0, 0, 0]] },
  'sobel-x': { label: 'Sobel x', w: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] },
  'sobel-y': { label: 'Sobel y', w: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]] },
  laplacian: { label: 'Laplacian', w: [[0, 1, 0], [1, -4, 1], [0, 1, 0]] },
  'box-blur': { label: 'box blur', w: [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]] },
  sharpen: { label: 'sharpen', w: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]] },
  custom: { label: 'custom (edit the grid)', w: null },
};
