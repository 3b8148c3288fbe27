/** Typed-array constructors by numpy dtype name (`typedarray` / `ndarray` `_rdtype`). */
export const typedArrayByDtype = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
} as const;

export type Dtype = keyof typeof typedArrayByDtype;
export type AnyTypedArray = InstanceType<(typeof typedArrayByDtype)[Dtype]> | Uint8ClampedArray;

/** Dtype name of a typed array (`Uint8ClampedArray` travels as `uint8`). */
export function dtypeOf(array: ArrayBufferView): Dtype | undefined {
  if (array instanceof Uint8ClampedArray) return 'uint8';
  for (const [name, ctor] of Object.entries(typedArrayByDtype)) {
    if (array instanceof ctor) return name as Dtype;
  }
  return undefined;
}
