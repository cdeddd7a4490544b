// GELU with the tanh approximation (minGPT's NewGELU):
// gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
import { at, madd } from './mem';

const K: f32 = 0.7978845608028654; // sqrt(2 / pi)
const A: f32 = 0.044715;

// tanh as a clamped rational function u P(u^2) / Q(u^2), accurate to a few float32 ulps
// (the minimax fit used by Eigen's fast float tanh); past |u| = 7.9 tanh is 1 in float32.
const CLAMP: f32 = 7.90531110763549805;
const P1: f32 = 4.89352455891786e-03;
const P3: f32 = 6.37261928875436e-04;
const P5: f32 = 1.48572235717979e-05;
const P7: f32 = 5.12229709037114e-08;
const P9: f32 = -8.60467152213735e-11;
const P11: f32 = 2.00018790482477e-13;
const P13: f32 = -2.76076847742355e-16;
const Q0: f32 = 4.89352518554385e-03;
const Q2: f32 = 2.26843463243900e-03;
const Q4: f32 = 1.18534705686654e-04;
const Q6: f32 = 1.19825839466702e-06;

/** tanh of four lanes at once. */
@inline function tanh4(u: v128): v128 {
  const x = f32x4.max(f32x4.splat(-CLAMP), f32x4.min(f32x4.splat(CLAMP), u));
  const x2 = f32x4.mul(x, x);
  let p = madd(x2, f32x4.splat(P13), f32x4.splat(P11));
  p = madd(x2, p, f32x4.splat(P9));
  p = madd(x2, p, f32x4.splat(P7));
  p = madd(x2, p, f32x4.splat(P5));
  p = madd(x2, p, f32x4.splat(P3));
  p = madd(x2, p, f32x4.splat(P1));
  p = f32x4.mul(x, p);
  let q = madd(x2, f32x4.splat(Q6), f32x4.splat(Q4));
  q = madd(x2, q, f32x4.splat(Q2));
  q = madd(x2, q, f32x4.splat(Q0));
  return f32x4.div(p, q);
}

/** u = sqrt(2/pi) (x + 0.044715 x^3) for four lanes. */
@inline function inner4(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  return f32x4.mul(f32x4.splat(K), madd(f32x4.splat(A), x3, x));
}

/** out[N] = gelu(inp[N]); N must be a multiple of 4. */
export function gelu_forward(out: usize, inp: usize, N: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  for (let i = 0; i < N; i += 4) {
    const x = v128.load(at(inp, i));
    const th = tanh4(inner4(x));
    v128.store(at(out, i), f32x4.mul(f32x4.mul(half, x), f32x4.add(one, th)));
  }
}

/**
 * dinp[N] = gelu'(inp) * dout (overwrites dinp); N a multiple of 4.
 * gelu'(x) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
 */
export function gelu_backward(dinp: usize, inp: usize, dout: usize, N: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  for (let i = 0; i < N; i += 4) {
    const x = v128.load(at(inp, i));
    const th = tanh4(inner4(x));
    const sech2 = f32x4.sub(one, f32x4.mul(th, th));
    const du = f32x4.mul(f32x4.splat(K), madd(f32x4.splat(3 * A), f32x4.mul(x, x), one));
    const grad = f32x4.add(f32x4.mul(half, f32x4.add(one, th)), f32x4.mul(f32x4.mul(f32x4.mul(half, x), sech2), du));
    v128.store(at(dinp, i), f32x4.mul(grad, v128.load(at(dout, i))));
  }
}
