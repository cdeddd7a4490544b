// The residual connection: the stream carries x forward and each sub-block adds its output to it.
import { at } from './mem';

/** out[n] = a[n] + b[n]; n must be a multiple of 4. */
export function residual_forward(out: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(at(out, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
}

/** da[n] += dout[n], db[n] += dout[n]. */
export function residual_backward(da: usize, db: usize, dout: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const d = v128.load(at(dout, i));
    v128.store(at(da, i), f32x4.add(v128.load(at(da, i)), d));
    v128.store(at(db, i), f32x4.add(v128.load(at(db, i)), d));
  }
}
