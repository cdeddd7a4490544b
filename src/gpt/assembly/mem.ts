// Pointer arithmetic shared by the kernels. Every tensor is a run of f32 in linear memory;
// `at(ptr, i)` is the byte address of element i.

@inline export function at(ptr: usize, index: i32): usize {
  return ptr + (<usize>index << 2);
}

@inline export function get(ptr: usize, index: i32): f32 {
  return load<f32>(ptr + (<usize>index << 2));
}

@inline export function put(ptr: usize, index: i32, value: f32): void {
  store<f32>(ptr + (<usize>index << 2), value);
}

/**
 * a * b + c on four lanes, rounded twice. Deliberately not relaxed_madd: a fused multiply-add
 * exists on some CPUs and not others, and would make results (and trained weights) differ
 * between machines. Measured here, the fused form was only ~5% faster.
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}
