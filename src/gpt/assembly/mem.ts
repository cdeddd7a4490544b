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
