// AdamW, as torch.optim.AdamW: decoupled weight decay, bias-corrected moments.
import { get, put } from './mem';

/** Sum of squares of n floats (for gradient-norm clipping). */
export function sum_squares(x: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>get(x, i);
    acc += v * v;
  }
  return acc;
}

/**
 * One AdamW step on n parameters. gradScale multiplies the gradients first (clipping);
 * step counts from 1. Weight decay is applied to the parameters directly: p -= lr * wd * p.
 */
export function adamw_update(
  params: usize, grads: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, gradScale: f32, step: i32,
): void {
  const c1: f32 = 1 - <f32>Math.pow(beta1, step);
  const c2: f32 = 1 - <f32>Math.pow(beta2, step);
  for (let i = 0; i < n; i++) {
    const g = get(grads, i) * gradScale;
    const mi = beta1 * get(m, i) + (1 - beta1) * g;
    const vi = beta2 * get(v, i) + (1 - beta2) * g * g;
    put(m, i, mi);
    put(v, i, vi);
    const p = get(params, i) * (1 - lr * weightDecay);
    put(params, i, p - lr * (mi / c1) / (Mathf.sqrt(vi / c2) + eps));
  }
}
