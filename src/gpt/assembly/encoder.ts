// Embedding: each position's vector is a row of wte (its token) plus a row of wpe (its position).
import { at, get, put } from './mem';

/**
 * tok[B,T,C] = wte[ids[b,t]], pos[B,T,C] = wpe[t], out[B,T,C] = tok + pos.
 * ids is (B,T) i32; wte is (V,C); wpe is (block_size,C).
 */
export function encoder_forward(
  out: usize, tok: usize, pos: usize, ids: usize, wte: usize, wpe: usize, B: i32, T: i32, C: i32,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const bt = b * T + t;
      const id = load<i32>(ids + (<usize>bt << 2));
      const o = bt * C;
      for (let c = 0; c < C; c++) {
        const te = get(wte, id * C + c);
        const pe = get(wpe, t * C + c);
        put(tok, o + c, te);
        put(pos, o + c, pe);
        put(out, o + c, te + pe);
      }
    }
  }
}

/** dwte[id] += dout[b,t], dwpe[t] += dout[b,t]. */
export function encoder_backward(dwte: usize, dwpe: usize, dout: usize, ids: usize, B: i32, T: i32, C: i32): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const bt = b * T + t;
      const id = load<i32>(ids + (<usize>bt << 2));
      for (let c = 0; c < C; c += 4) {
        const d = v128.load(at(dout, bt * C + c));
        v128.store(at(dwte, id * C + c), f32x4.add(v128.load(at(dwte, id * C + c)), d));
        v128.store(at(dwpe, t * C + c), f32x4.add(v128.load(at(dwpe, t * C + c)), d));
      }
    }
  }
}
