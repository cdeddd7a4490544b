// The output softmax over the vocabulary, the cross-entropy loss and their joint backward pass.
import { get, put } from './mem';

/** probs[N,V] = softmax(logits[N,V]) row by row, keeping each row's max and sum of exps (N). */
export function softmax_forward(probs: usize, max: usize, sum: usize, logits: usize, N: i32, V: i32): void {
  for (let n = 0; n < N; n++) {
    const x = n * V;
    let m: f32 = -Infinity;
    for (let v = 0; v < V; v++) m = Mathf.max(m, get(logits, x + v));
    let s: f32 = 0;
    for (let v = 0; v < V; v++) {
      const e = Mathf.exp(get(logits, x + v) - m);
      put(probs, x + v, e);
      s += e;
    }
    for (let v = 0; v < V; v++) put(probs, x + v, get(probs, x + v) / s);
    put(max, n, m);
    put(sum, n, s);
  }
}

/**
 * losses[N] = -log probs[n, targets[n]]; positions with target -1 are ignored (loss 0).
 * Returns the mean over the positions that count, as F.cross_entropy(ignore_index=-1) does.
 */
export function crossentropy_forward(losses: usize, probs: usize, targets: usize, N: i32, V: i32): f32 {
  let total: f32 = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const target = load<i32>(targets + (<usize>n << 2));
    if (target < 0) {
      put(losses, n, 0);
      continue;
    }
    const loss = -Mathf.log(get(probs, n * V + target));
    put(losses, n, loss);
    total += loss;
    count++;
  }
  return count > 0 ? total / <f32>count : 0;
}

/** dlogits[N,V] = (probs - onehot(target)) / count for counted positions, 0 for ignored ones. */
export function crossentropy_softmax_backward(dlogits: usize, probs: usize, targets: usize, N: i32, V: i32): void {
  let count = 0;
  for (let n = 0; n < N; n++) if (load<i32>(targets + (<usize>n << 2)) >= 0) count++;
  const scale: f32 = count > 0 ? 1 / <f32>count : 0;
  for (let n = 0; n < N; n++) {
    const target = load<i32>(targets + (<usize>n << 2));
    for (let v = 0; v < V; v++) {
      const d: f32 = target < 0 ? 0 : (get(probs, n * V + v) - (v == target ? 1 : 0)) * scale;
      put(dlogits, n * V + v, d);
    }
  }
}
