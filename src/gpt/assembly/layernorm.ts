// Layer norm over the C channels of each position, biased variance, eps 1e-5.
import { get, put } from './mem';

const EPS: f32 = 1e-5;

/**
 * out[N,C] = (inp - mean) * rstd * weight + bias, row by row; keeps mean[N] and rstd[N]
 * (rstd = 1 / sqrt(var + eps)) for the backward pass and for the picture.
 */
export function layernorm_forward(
  out: usize, mean: usize, rstd: usize, inp: usize, weight: usize, bias: usize, N: i32, C: i32,
): void {
  for (let n = 0; n < N; n++) {
    const x = n * C;
    let m: f32 = 0;
    for (let c = 0; c < C; c++) m += get(inp, x + c);
    m /= <f32>C;
    let v: f32 = 0;
    for (let c = 0; c < C; c++) {
      const d = get(inp, x + c) - m;
      v += d * d;
    }
    v /= <f32>C;
    const s: f32 = 1 / Mathf.sqrt(v + EPS);
    for (let c = 0; c < C; c++) put(out, x + c, (get(inp, x + c) - m) * s * get(weight, c) + get(bias, c));
    put(mean, n, m);
    put(rstd, n, s);
  }
}

/** dinp += d(out)/d(inp) * dout; dweight += norm * dout; dbias += dout. */
export function layernorm_backward(
  dinp: usize, dweight: usize, dbias: usize,
  dout: usize, inp: usize, weight: usize, mean: usize, rstd: usize, N: i32, C: i32,
): void {
  for (let n = 0; n < N; n++) {
    const x = n * C;
    const m = get(mean, n);
    const s = get(rstd, n);
    // Two reductions over the row: mean of (w * dout) and mean of (w * dout * norm).
    let dnormMean: f32 = 0;
    let dnormNormMean: f32 = 0;
    for (let c = 0; c < C; c++) {
      const norm = (get(inp, x + c) - m) * s;
      const dnorm = get(weight, c) * get(dout, x + c);
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= <f32>C;
    dnormNormMean /= <f32>C;
    for (let c = 0; c < C; c++) {
      const norm = (get(inp, x + c) - m) * s;
      const d = get(dout, x + c);
      const dnorm = get(weight, c) * d;
      put(dbias, c, get(dbias, c) + d);
      put(dweight, c, get(dweight, c) + norm * d);
      put(dinp, x + c, get(dinp, x + c) + (dnorm - dnormMean - norm * dnormNormMean) * s);
    }
  }
}
