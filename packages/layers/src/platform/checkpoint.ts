// Checkpoints: a module's state dict as a safetensors file (readable by PyTorch's safetensors.torch.load_file).
import { ConvgradError } from '@convgrad/core';
import { fmtArg } from '../checks.ts';
import { Module, strictOption, type LoadStateDictOptions, type LoadStateDictResult } from '../module.ts';
import { loadSafetensors, saveSafetensors } from './safetensors-file.ts';

function checkModule(module: unknown, op: string): asserts module is Module<any, any> {
  if (!(module instanceof Module)) throw new ConvgradError(op, `module must be a Module, got ${fmtArg(module)}`);
}

/** Saves `module.stateDict()` to `path` atomically; `metadata` goes to the header's `__metadata__`. */
export function saveCheckpoint(path: string, module: Module<any, any>, metadata?: Record<string, string>): void {
  checkModule(module, 'saveCheckpoint');
  saveSafetensors(path, module.stateDict(), metadata, 'saveCheckpoint');
}

/**
 * Loads a checkpoint into `module`: the file is validated (see decodeSafetensors), then its tensors
 * against the module (keys when strict, shapes and dtypes always); only then are values copied, so a
 * rejected file leaves the module unchanged. Returns the file's metadata with the key report.
 */
export function loadCheckpoint(path: string, module: Module<any, any>, options: LoadStateDictOptions = {}): LoadStateDictResult & { metadata: Record<string, string> | null } {
  checkModule(module, 'loadCheckpoint');
  strictOption(options, 'loadCheckpoint'); // options checked before the file is read
  const { tensors, metadata } = loadSafetensors(path, 'loadCheckpoint');
  const { problems } = module.checkStateDict(tensors, options);
  if (problems.length > 0) throw new ConvgradError('loadCheckpoint', `${path} does not match the model: ${problems.join('; ')}`);
  return { ...module.loadStateDict(tensors, options), metadata };
}
