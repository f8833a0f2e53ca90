// Layers exported as one ONNX node, as PyTorch's exporter writes them: BatchNorm (eval) →
// BatchNormalization, Linear on [N, in] → Gemm with transB, Flatten → Flatten.
import { full } from '@convgrad/core';
import { BatchNorm1d, Flatten, Linear } from '@convgrad/layers';
import type { GraphBuilder } from './builder.ts';
import type { Composite } from './trace.ts';

export function emitComposite(b: GraphBuilder, c: Composite, x: string): string {
  switch (c.kind) {
    case 'BatchNormalization': {
      const m = c.module as BatchNorm1d;
      const c0 = m.numFeatures, dtype = c.input.dtype;
      const weight = m.weight ? b.tensor(m.weight) : b.floatConst(`${c.path}.weight`, full([c0], 1, { dtype }));
      const bias = m.bias ? b.tensor(m.bias) : b.floatConst(`${c.path}.bias`, full([c0], 0, { dtype }));
      // ONNX's momentum weights the running value, convgrad's (as PyTorch's) the batch statistic. It only
      // matters for training; a cumulative average (momentum null) is written as PyTorch's exporter does, 0.9.
      return b.node('BatchNormalization', c.path, [x, weight, bias, b.tensor(m.runningMean!), b.tensor(m.runningVar!)], {
        epsilon: { float: m.eps }, momentum: { float: 1 - (m.momentum ?? 0.1) },
      });
    }
    case 'Gemm': {
      const m = c.module as Linear;
      return b.node('Gemm', c.path, [x, b.tensor(m.weight), ...(m.bias ? [b.tensor(m.bias)] : [])], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
    }
    case 'Flatten': {
      const m = c.module as Flatten;
      return b.node('Flatten', c.path, [x], { axis: m.startDim < 0 ? m.startDim + c.input.rank : m.startDim });
    }
  }
}
