// Matrix multiply, the kernel that does nearly all of the model's arithmetic.
//
// One general kernel serves the forward and both backward products:
//   out[M,N] (=|+=) bias[N] + A[M,K] @ B[K,N]
// B is row-major with row length N. A is addressed through strides, so the same kernel reads
// A row-major (strideM = K, strideK = 1) or transposed (strideM = 1, strideK = M) without copying.
// Register tiles of 4 rows x 8 columns keep 8 f32x4 accumulators live; leftover rows and
// columns (T = 11, vocabulary 3) take narrower paths.

/** Initial value of out before the products are added: zero, a bias row, or what out holds. */
export const INIT_ZERO: i32 = 0;
export const INIT_BIAS: i32 = 1;
export const INIT_ACCUMULATE: i32 = 2;

import { at as f, madd } from './mem';

@inline function initVec(out: usize, bias: usize, mode: i32, outIndex: i32, col: i32): v128 {
  if (mode == INIT_BIAS) return v128.load(f(bias, col));
  if (mode == INIT_ACCUMULATE) return v128.load(f(out, outIndex));
  return f32x4.splat(0);
}

@inline function initScalar(out: usize, bias: usize, mode: i32, outIndex: i32, col: i32): f32 {
  if (mode == INIT_BIAS) return load<f32>(f(bias, col));
  if (mode == INIT_ACCUMULATE) return load<f32>(f(out, outIndex));
  return 0;
}

/**
 * Rows i0..i3 x 8 columns of out, summing over all K. The row indices may repeat (the last rows
 * of a matrix whose height is not a multiple of 4): a repeated row loads the same initial value,
 * adds the same products and stores the same result, so it is computed redundantly but correctly,
 * and the 8 independent accumulator chains keep the FMA units busy.
 */
@inline function tile4x8(
  out: usize, A: usize, strideM: i32, strideK: i32, B: usize, bias: usize, mode: i32,
  i0: i32, i1: i32, i2: i32, i3: i32, j: i32, K: i32, N: i32,
): void {
  let c00 = initVec(out, bias, mode, i0 * N + j, j);
  let c01 = initVec(out, bias, mode, i0 * N + j + 4, j + 4);
  let c10 = initVec(out, bias, mode, i1 * N + j, j);
  let c11 = initVec(out, bias, mode, i1 * N + j + 4, j + 4);
  let c20 = initVec(out, bias, mode, i2 * N + j, j);
  let c21 = initVec(out, bias, mode, i2 * N + j + 4, j + 4);
  let c30 = initVec(out, bias, mode, i3 * N + j, j);
  let c31 = initVec(out, bias, mode, i3 * N + j + 4, j + 4);
  let a0p = f(A, i0 * strideM);
  let a1p = f(A, i1 * strideM);
  let a2p = f(A, i2 * strideM);
  let a3p = f(A, i3 * strideM);
  const aStep = <usize>strideK << 2;
  let b = f(B, j);
  const bStep = <usize>N << 2;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a0p);
    const a1 = v128.load32_splat(a1p);
    const a2 = v128.load32_splat(a2p);
    const a3 = v128.load32_splat(a3p);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    a0p += aStep;
    a1p += aStep;
    a2p += aStep;
    a3p += aStep;
    b += bStep;
  }
  v128.store(f(out, i0 * N + j), c00);
  v128.store(f(out, i0 * N + j + 4), c01);
  v128.store(f(out, i1 * N + j), c10);
  v128.store(f(out, i1 * N + j + 4), c11);
  v128.store(f(out, i2 * N + j), c20);
  v128.store(f(out, i2 * N + j + 4), c21);
  v128.store(f(out, i3 * N + j), c30);
  v128.store(f(out, i3 * N + j + 4), c31);
}

/** 1 row x 4 columns of out. */
@inline function tile1x4(
  out: usize, A: usize, strideM: i32, strideK: i32, B: usize, bias: usize, mode: i32,
  i: i32, j: i32, K: i32, N: i32,
): void {
  let c = initVec(out, bias, mode, i * N + j, j);
  let a = f(A, i * strideM);
  const aStep = <usize>strideK << 2;
  let b = f(B, j);
  const bStep = <usize>N << 2;
  for (let k = 0; k < K; k++) {
    c = madd(v128.load32_splat(a), v128.load(b), c);
    a += aStep;
    b += bStep;
  }
  v128.store(f(out, i * N + j), c);
}

/** One element of out. */
@inline function tile1x1(
  out: usize, A: usize, strideM: i32, strideK: i32, B: usize, bias: usize, mode: i32,
  i: i32, j: i32, K: i32, N: i32,
): void {
  let c = initScalar(out, bias, mode, i * N + j, j);
  for (let k = 0; k < K; k++) {
    c += load<f32>(f(A, i * strideM + k * strideK)) * load<f32>(f(B, k * N + j));
  }
  store<f32>(f(out, i * N + j), c);
}

/**
 * out[M,N] (=|+=) bias + A[M,K] @ B[K,N], with A[i,k] at A + 4*(i*strideM + k*strideK).
 * mode: INIT_ZERO, INIT_BIAS (bias is a length-N row added to every row), INIT_ACCUMULATE.
 */
export function matmul(
  out: usize, A: usize, strideM: i32, strideK: i32, B: usize, bias: usize, mode: i32,
  M: i32, K: i32, N: i32,
): void {
  const N8 = N & ~7;
  const N4 = N & ~3;
  const last = M - 1;
  for (let i = 0; i < M; i += 4) {
    const i1 = min(i + 1, last);
    const i2 = min(i + 2, last);
    const i3 = min(i + 3, last);
    for (let j = 0; j < N8; j += 8) tile4x8(out, A, strideM, strideK, B, bias, mode, i, i1, i2, i3, j, K, N);
  }
  for (let i = 0; i < M; i++) {
    for (let j = N8; j < N4; j += 4) tile1x4(out, A, strideM, strideK, B, bias, mode, i, j, K, N);
    for (let j = N4; j < N; j++) tile1x1(out, A, strideM, strideK, B, bias, mode, i, j, K, N);
  }
}

/** out[M,N] = transpose of inp[N,M]. Used to keep a [in, out] copy of each nn.Linear weight. */
export function transpose(out: usize, inp: usize, N: i32, M: i32): void {
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) store<f32>(f(out, m * N + n), load<f32>(f(inp, n * M + m)));
  }
}

/** dbias[N] += sum over rows of dout[M,N]. */
export function bias_backward(dbias: usize, dout: usize, M: i32, N: i32): void {
  const N4 = N & ~3;
  for (let j = 0; j < N4; j += 4) {
    let acc = v128.load(f(dbias, j));
    for (let i = 0; i < M; i++) acc = f32x4.add(acc, v128.load(f(dout, i * N + j)));
    v128.store(f(dbias, j), acc);
  }
  for (let j = N4; j < N; j++) {
    let acc = load<f32>(f(dbias, j));
    for (let i = 0; i < M; i++) acc += load<f32>(f(dout, i * N + j));
    store<f32>(f(dbias, j), acc);
  }
}
