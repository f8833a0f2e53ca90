// Loss modules: call(prediction, target) → scalar (or per-element with reduction 'none').
import { ConvgradError, mseLoss, softmaxCrossEntropy, type Labels, type Reduction, type Tensor } from '@convgrad/core';
import { checkTensor, fmtArg } from './checks.ts';
import { Module } from './module.ts';

function checkReduction(op: string, r: Reduction): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ConvgradError(op, `reduction must be 'mean', 'sum' or 'none', got ${fmtArg(r)}`);
  return r;
}

/** Mean squared error (mean over all elements by default). */
export class MSELoss extends Module<[Tensor, Tensor], Tensor> {
  constructor(readonly reduction: Reduction = 'mean') {
    super();
    checkReduction('MSELoss', reduction);
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    checkTensor(pred, 'MSELoss', 'prediction');
    checkTensor(target, 'MSELoss', 'target');
    return mseLoss(pred, target, { reduction: this.reduction });
  }
}

/** Cross-entropy of logits [N, C] against integer class labels (length N), as PyTorch's CrossEntropyLoss. */
export class CrossEntropyLoss extends Module<[Tensor, Labels], Tensor> {
  constructor(readonly reduction: Reduction = 'mean') {
    super();
    checkReduction('CrossEntropyLoss', reduction);
  }

  forward(logits: Tensor, labels: Labels): Tensor {
    checkTensor(logits, 'CrossEntropyLoss', 'logits');
    if (!Array.isArray(labels) && !(ArrayBuffer.isView(labels) && !(labels instanceof DataView))) {
      throw new ConvgradError('CrossEntropyLoss', `labels must be an array or typed array of class indices, got ${fmtArg(labels)}`);
    }
    return softmaxCrossEntropy(logits, labels, { reduction: this.reduction });
  }
}
