// The ONNX ops convgrad imports (default domain, opsets 13–17), by op type.
import type { NodeContext, Run } from './context.ts';
import {
  importBinary, importDropout, importFlatten, importIdentity, importLeakyRelu, importLogSoftmax, importPad, importPow,
  importReduceMean, importReduceSum, importReshape, importSoftmax, importTranspose, importUnary,
} from './ops-basic.ts';
import { importAveragePool, importBatchNormalization, importConv, importGemm, importMatMul, importMaxPool } from './ops-nn.ts';

export const IMPORTERS: Readonly<Record<string, (ctx: NodeContext) => Run>> = {
  Conv: importConv,
  Gemm: importGemm,
  MatMul: importMatMul,
  Add: importBinary('Add'),
  Sub: importBinary('Sub'),
  Mul: importBinary('Mul'),
  Div: importBinary('Div'),
  Relu: importUnary('Relu'),
  Sigmoid: importUnary('Sigmoid'),
  Tanh: importUnary('Tanh'),
  Exp: importUnary('Exp'),
  Log: importUnary('Log'),
  Sqrt: importUnary('Sqrt'),
  Neg: importUnary('Neg'),
  LeakyRelu: importLeakyRelu,
  Pow: importPow,
  MaxPool: importMaxPool,
  AveragePool: importAveragePool,
  BatchNormalization: importBatchNormalization,
  Flatten: importFlatten,
  Reshape: importReshape,
  Transpose: importTranspose,
  Pad: importPad,
  Softmax: importSoftmax,
  LogSoftmax: importLogSoftmax,
  ReduceMean: importReduceMean,
  ReduceSum: importReduceSum,
  Dropout: importDropout,
  Identity: importIdentity,
};

/** Lowest and highest default-domain opset whose semantics the importers implement. */
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;
