export { gradcheck, gradgradcheck } from './gradcheck.ts';
export type { GradcheckOptions, GradcheckReport, GradcheckWorst } from './gradcheck.ts';
export { shapeArb, tensorSpecArb, makeTensor, makeEdgeTensor, broadcastPairArb, convCaseArb } from './arbitraries.ts';
export type { TensorSpec, ConvCase, ConvCaseLimits } from './arbitraries.ts';
export { setUninitializedFill, type UninitializedFill } from '../uninitialized.ts';
