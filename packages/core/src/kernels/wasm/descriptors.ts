// Writers of the fields of a job descriptor (layout.ts) shared by the conv planners.
import type { Conv2dGeometry } from '../conv2d.ts';
import { F } from './layout.ts';
import type { Lattice, Operand } from './operand.ts';

/**
 * Prep fields: the operand's block, where it sits (rows/cols lattices: virtual first, step, count),
 * the conv's padding pt/pl, phases, prepared size and destination.
 */
export function writePrep(i32: Int32Array, d: number, g: Conv2dGeometry, op: Operand, rows: Lattice, cols: Lattice,
  pt: number, pl: number, p: number, hp: number, wq: number, bp: number): void {
  i32[d + F.X] = op.ptr;
  i32[d + F.SIMG] = op.s0;
  i32[d + F.SCH] = op.s1;
  i32[d + F.SROW] = op.sRow;
  i32[d + F.SCOL] = op.sCol;
  i32[d + F.CH] = g.c;
  i32[d + F.H] = rows.count;
  i32[d + F.W] = cols.count;
  i32[d + F.FY] = rows.first;
  i32[d + F.SY] = rows.step;
  i32[d + F.FX] = cols.first;
  i32[d + F.SX] = cols.step;
  i32[d + F.PT] = pt;
  i32[d + F.PL] = pl;
  i32[d + F.P] = p;
  i32[d + F.HP] = hp;
  i32[d + F.WQ] = wq;
  i32[d + F.B] = bp;
  i32[d + F.BIMG] = 4 * g.c * hp * p * wq;
  i32[d + F.N] = g.n;
}

/** Output fields of a wide/dot job writing oh×ow positions, rows orow and columns ocs bytes apart. */
export function writeOut(i32: Int32Array, d: number, g: Conv2dGeometry, oh: number, ow: number, outp: number, orow: number, ocs: number, biasp: number): void {
  i32[d + F.N] = g.n;
  i32[d + F.O] = g.o;
  i32[d + F.OH] = oh;
  i32[d + F.OW] = ow;
  i32[d + F.OUT] = outp;
  i32[d + F.OIMG] = 4 * g.o * g.oh * g.ow;
  i32[d + F.OCH] = 4 * g.oh * g.ow;
  i32[d + F.OROW] = orow;
  i32[d + F.OCS] = ocs;
  i32[d + F.BIAS] = biasp;
  i32[d + F.ACC] = 0;
}
