// c + a·b on four float32 lanes. Built twice (asconfig.json): with relaxed SIMD this is one fused
// multiply-add (vfmadd on x86, half the instructions of mul + add; the rounding may differ in the last
// bit, which relaxed SIMD permits); the plain-SIMD build, for engines without relaxed SIMD, does mul + add.
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
