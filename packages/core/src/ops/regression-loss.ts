// l1Loss, smoothL1Loss, huberLoss and klDiv, composed from ops, as PyTorch's.
import { check } from '../errors.ts';
import { Tensor } from '../tensor.ts';
import { log, exp } from './activations.ts';
import { eq, ge, le, lt } from './compare.ts';
import { record } from '../autograd.ts';
import { div, mul, sub } from './elementwise.ts';
import type { Reduction } from './loss.ts';
import { checkPair, checkReduction, lossOptions, reduceLoss } from './loss-reduce.ts';
import { checkOptions } from './dim-args.ts';
import { fmtArg } from '../validate.ts';
import { sum } from './reduce.ts';
import { abs, where } from './unary-extra.ts';

/** |input − target| (gradient sign(d), 0 at d = 0). */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const reduction = lossOptions(options, [], 'l1Loss');
  checkPair(input, target, 'l1Loss');
  return reduceLoss(abs(sub(input, target)), reduction);
}

/** ½d²·k for |d| < c, else c'·(|d| − ½c); smoothL1 has k = 1/β, c' = 1; huber has k = 1, c' = δ. */
function piecewise(input: Tensor, target: Tensor, c: number, quadScale: number, linScale: number): Tensor {
  const d = sub(input, target);
  const a = abs(d);
  return where(lt(a, c), mul(mul(d, d), 0.5 * quadScale), mul(sub(a, 0.5 * c), linScale));
}

/**
 * |x − t| with smooth_l1's gradients at β = 0: PyTorch's kernel tests d ≤ −β first, so at d = 0 the
 * input gets −1, and the target (computed with the arguments swapped) also −1.
 */
function absDiffTorch(input: Tensor, target: Tensor): Tensor {
  const d = sub(input, target);
  const inputSign = where(le(d, 0), -1, 1), targetSign = where(ge(d, 0), -1, 1);
  return record(abs(d).detach(), 'smoothL1Beta0', [input, target], (g) => [
    input.requiresGrad ? mul(g, inputSign) : null,
    target.requiresGrad ? mul(g, targetSign) : null,
  ]);
}

/** Smooth L1: ½d²/β where |d| < β, else |d| − ½β (β = 0 is L1), default β = 1. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const op = 'smoothL1Loss';
  const reduction = lossOptions(options, ['beta'], op);
  const beta = options.beta ?? 1;
  check(Number.isFinite(beta) && beta >= 0, op, `beta must be a finite number ≥ 0, got ${fmtArg(beta)}`);
  checkPair(input, target, op);
  if (beta === 0) return reduceLoss(absDiffTorch(input, target), reduction);
  return reduceLoss(piecewise(input, target, beta, 1 / beta, 1), reduction);
}

/** Huber: ½d² where |d| < δ, else δ(|d| − ½δ), default δ = 1 (δ > 0). */
export function huberLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const op = 'huberLoss';
  const reduction = lossOptions(options, ['delta'], op);
  const delta = options.delta ?? 1;
  check(Number.isFinite(delta) && delta > 0, op, `delta must be a finite number > 0, got ${fmtArg(delta)}`);
  checkPair(input, target, op);
  return reduceLoss(piecewise(input, target, delta, 1, delta), reduction);
}

export type KlDivReduction = Reduction | 'batchmean';

/**
 * KL divergence with log-probabilities `input` and `target` probabilities (or log-probabilities
 * with logTarget): t·(log t − x) (0 where t = 0), or eᵗ·(t − x). Reduction 'mean' (default, as
 * PyTorch) averages over every element; 'batchmean' divides the sum by the batch size (the KL
 * divergence per sample).
 */
export function klDiv(input: Tensor, target: Tensor, options: { reduction?: KlDivReduction; logTarget?: boolean } = {}): Tensor {
  const op = 'klDiv';
  checkOptions(options, op, ['reduction', 'logTarget']);
  const reduction = checkReduction(options.reduction ?? 'mean', op, ['batchmean']) as KlDivReduction;
  const logTarget = options.logTarget ?? false;
  check(typeof logTarget === 'boolean', op, `logTarget must be a boolean, got ${fmtArg(logTarget)}`);
  checkPair(input, target, op);
  // xlogy(t, t): log of 1 where t = 0 makes the term 0 there (negative t stays NaN, as in PyTorch)
  const loss = logTarget ? mul(exp(target), sub(target, input)) : mul(target, sub(log(where(eq(target, 0), 1, target)), input));
  if (reduction !== 'batchmean') return reduceLoss(loss, reduction);
  return div(sum(loss), input.rank === 0 ? 1 : input.shape[0]);
}
