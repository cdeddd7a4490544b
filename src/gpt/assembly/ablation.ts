// Ablation for the "how it sorts" experiments: chosen attention heads and MLPs have their output
// replaced by a fixed mean (computed by the caller over the 729 sort inputs, see src/gpt/ablation.ts),
// so what they contributed beyond that average is taken away. Forward pass only: training never
// sets a mask, and the backward pass does not know about one.
import { at } from './mem';

/**
 * Head outputs (B,T,C), heads concatenated: for every head h whose bit is set in `mask`, the
 * channels h*hs .. h*hs+hs-1 of every position t become means[t][h*hs ..] (means is (maxT, C)).
 */
export function replace_heads(heads: usize, means: usize, mask: i32, B: i32, T: i32, C: i32, H: i32): void {
  const hs = C / H;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = at(heads, (b * T + t) * C);
      const mean = at(means, t * C);
      for (let h = 0; h < H; h++) {
        if (((mask >> h) & 1) == 0) continue;
        memory.copy(row + (<usize>(h * hs) << 2), mean + (<usize>(h * hs) << 2), <usize>hs << 2);
      }
    }
  }
}

/** Rows (B,T,C): every position t becomes means[t] (means is (maxT, C)). */
export function replace_rows(out: usize, means: usize, B: i32, T: i32, C: i32): void {
  for (let b = 0; b < B; b++) memory.copy(at(out, b * T * C), means, <usize>(T * C) << 2);
}
