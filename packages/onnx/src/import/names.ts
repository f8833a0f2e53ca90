// Where an imported initializer lives in the module tree: its own dotted name ('0.weight' → module '0',
// parameter 'weight', as PyTorch's exporter writes them), or, for an anonymous PyTorch initializer
// ('onnx::MatMul_25'), the scope of the one node that uses it ('/7/MatMul' → '7.weight').
import { ConvgradError, type Tensor } from '@convgrad/core';
import { Module } from '@convgrad/layers';

/** A module that only holds the parameters of one scope of an imported graph. */
export class OnnxScope extends Module {
  forward(): never {
    throw new ConvgradError('OnnxScope', 'this module only holds parameters of an imported ONNX graph; call the imported model itself');
  }
}

/** The dotted module path of a PyTorch node name ('/features/features.0/Conv' → 'features.0'), or null. */
export function scopeOf(nodeName: string): string | null {
  const segs = nodeName.split('/');
  if (segs.length < 3 || segs[0] !== '' || !/^[A-Za-z]+(_\d+)?$/.test(segs[segs.length - 1])) return null;
  let path = '';
  for (const seg of segs.slice(1, -1)) {
    if (seg === '' || seg.startsWith('.') || seg.endsWith('.') || seg.includes('..')) return null;
    path = path && seg.startsWith(`${path}.`) ? seg : path ? `${path}.${seg}` : seg;
  }
  return path;
}

function has(m: Module<any, any>, name: string): boolean {
  return m.getParameter(name) !== null || m.getBuffer(name) !== undefined || m.namedChildren().some(([n]) => n === name);
}

function child(m: Module<any, any>, name: string): Module<any, any> | undefined {
  return m.namedChildren().find(([n]) => n === name)?.[1];
}

/**
 * Registers `t` under the dotted `name` below `root` (creating scope modules); when the name cannot be
 * used (an empty segment, a clash), under the name with '.' replaced by '_' (made unique). Returns the name used.
 */
export function place(root: Module<any, any>, name: string, register: (m: Module<any, any>, local: string) => void): string {
  const segs = name.split('.');
  if (segs.every((s) => s !== '')) {
    let m: Module<any, any> = root;
    let ok = true;
    for (const s of segs.slice(0, -1)) {
      const c = child(m, s);
      if (c) m = c;
      else if (has(m, s)) { ok = false; break; } else m = m.registerModule(s, new OnnxScope());
    }
    const local = segs[segs.length - 1];
    if (ok && !has(m, local)) {
      register(m, local);
      return name;
    }
  }
  const base = name.replace(/\./g, '_') || 'unnamed';
  let flat = base;
  for (let k = 1; has(root, flat); k++) flat = `${base}_${k}`;
  register(root, flat);
  return flat;
}

/** Registers a parameter (trainable) or buffer at `name`. */
export function placeTensor(root: Module<any, any>, name: string, t: Tensor, kind: 'parameter' | 'buffer'): string {
  return place(root, name, (m, local) => (kind === 'parameter' ? m.registerParameter(local, t) : m.registerBuffer(local, t)));
}
