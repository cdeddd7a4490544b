// GELU with the tanh approximation (minGPT's NewGELU):
// gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
import { get, put } from './mem';

const K: f32 = 0.7978845608028654; // sqrt(2 / pi)
const A: f32 = 0.044715;

/** tanh from one exp; exact to float32 rounding over the range GELU sees. */
@inline function tanhf(u: f32): f32 {
  if (u > 10) return 1;
  if (u < -10) return -1;
  const e = Mathf.exp(2 * u);
  return (e - 1) / (e + 1);
}

/** out[N] = gelu(inp[N]). */
export function gelu_forward(out: usize, inp: usize, N: i32): void {
  for (let i = 0; i < N; i++) {
    const x = get(inp, i);
    put(out, i, 0.5 * x * (1 + tanhf(K * (x + A * x * x * x))));
  }
}

/** dinp[N] = gelu'(inp) * dout (overwrites dinp). */
export function gelu_backward(dinp: usize, inp: usize, dout: usize, N: i32): void {
  for (let i = 0; i < N; i++) {
    const x = get(inp, i);
    const u = K * (x + A * x * x * x);
    const th = tanhf(u);
    const sech2: f32 = 1 - th * th;
    const grad: f32 = 0.5 * (1 + th) + 0.5 * x * sech2 * K * (1 + 3 * A * x * x);
    put(dinp, i, grad * get(dout, i));
  }
}
