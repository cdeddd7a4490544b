// Causal multi-head self-attention. qkv is (B,T,3C): per position, the C query channels, then
// the C key channels, then the C value channels; head h owns channels h*hs .. h*hs+hs-1 of each.
import { at, get, put, madd } from './mem';

@inline function dot4(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) acc = madd(v128.load(at(a, i)), v128.load(at(b, i)), acc);
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
}

/**
 * For each batch b, head h and query position t:
 *   preatt[b,h,t,s] = q_t . k_s / sqrt(hs) for s <= t, -inf for s > t (the causal mask)
 *   att[b,h,t,:]    = softmax(preatt[b,h,t,:]), keeping its max and sum of exps (attmax, attsum: (B,H,T))
 *   out[b,t,h*hs:]  = sum_s att[b,h,t,s] * v_s
 * out is (B,T,C); preatt and att are (B,H,T,T). head size hs must be a multiple of 4.
 */
export function attention_forward(
  out: usize, preatt: usize, att: usize, attmax: usize, attsum: usize, qkv: usize,
  B: i32, T: i32, C: i32, H: i32,
): void {
  const hs = C / H;
  const C3 = 3 * C;
  const scale: f32 = 1 / Mathf.sqrt(<f32>hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const q = at(qkv, (b * T + t) * C3 + h * hs);
        const row = ((b * H + h) * T + t) * T; // offset of preatt[b,h,t,0]
        let max: f32 = -Infinity;
        for (let s = 0; s <= t; s++) {
          const k = at(qkv, (b * T + s) * C3 + C + h * hs);
          const score = dot4(q, k, hs) * scale;
          put(preatt, row + s, score);
          if (score > max) max = score;
        }
        let sum: f32 = 0;
        for (let s = 0; s <= t; s++) {
          const e = Mathf.exp(get(preatt, row + s) - max);
          put(att, row + s, e);
          sum += e;
        }
        const inv: f32 = 1 / sum;
        for (let s = 0; s <= t; s++) put(att, row + s, get(att, row + s) * inv);
        for (let s = t + 1; s < T; s++) {
          put(preatt, row + s, -Infinity);
          put(att, row + s, 0);
        }
        put(attmax, (b * H + h) * T + t, max);
        put(attsum, (b * H + h) * T + t, sum);
        // Weighted sum of the value vectors of positions 0..t.
        const o = at(out, (b * T + t) * C + h * hs);
        for (let i = 0; i < hs; i += 4) {
          let acc = f32x4.splat(0);
          for (let s = 0; s <= t; s++) {
            const v = at(qkv, (b * T + s) * C3 + 2 * C + h * hs + i);
            acc = madd(f32x4.splat(get(att, row + s)), v128.load(v), acc);
          }
          v128.store(at(o, i), acc);
        }
      }
    }
  }
}

/**
 * dqkv += gradient of the attention output with respect to q, k and v, given dout (B,T,C).
 * scratch holds 2*T floats (d att and d preatt of one row).
 */
export function attention_backward(
  dqkv: usize, scratch: usize, dout: usize, qkv: usize, att: usize, B: i32, T: i32, C: i32, H: i32,
): void {
  const hs = C / H;
  const C3 = 3 * C;
  const scale: f32 = 1 / Mathf.sqrt(<f32>hs);
  const datt = scratch;
  const dpre = at(scratch, T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * H + h) * T + t) * T;
        const dy = at(dout, (b * T + t) * C + h * hs);
        // out = sum_s att[s] v_s  ->  datt[s] = dy . v_s,  dv_s += att[s] dy
        let weighted: f32 = 0; // sum_s att[s] * datt[s], for the softmax backward
        for (let s = 0; s <= t; s++) {
          const v = (b * T + s) * C3 + 2 * C + h * hs;
          const a = get(att, row + s);
          const d = dot4(dy, at(qkv, v), hs);
          put(datt, s, d);
          weighted += a * d;
          const as = f32x4.splat(a);
          for (let i = 0; i < hs; i += 4) {
            const p = at(dqkv, v + i);
            v128.store(p, madd(as, v128.load(at(dy, i)), v128.load(p)));
          }
        }
        // softmax backward: dpre[s] = att[s] (datt[s] - sum_r att[r] datt[r]), then the 1/sqrt(hs) scale.
        for (let s = 0; s <= t; s++) put(dpre, s, get(att, row + s) * (get(datt, s) - weighted) * scale);
        // pre[s] = q . k_s  ->  dq += dpre[s] k_s,  dk_s += dpre[s] q
        const q = (b * T + t) * C3 + h * hs;
        for (let s = 0; s <= t; s++) {
          const k = (b * T + s) * C3 + C + h * hs;
          const ds = f32x4.splat(get(dpre, s));
          for (let i = 0; i < hs; i += 4) {
            const dq = at(dqkv, q + i);
            v128.store(dq, madd(ds, v128.load(at(qkv, k + i)), v128.load(dq)));
            const dk = at(dqkv, k + i);
            v128.store(dk, madd(ds, v128.load(at(qkv, q + i)), v128.load(dk)));
          }
        }
      }
    }
  }
}
