/**
 * Vectors as callers send them: a list of numbers, a typed array, or a numpy array as hypha-rpc
 * encodes it (`{_rtype: 'ndarray', _rvalue: bytes, _rshape, _rdtype}`), turned into a list.
 */
import { InvalidArgumentError } from '@hypha/service';

const DTYPES: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  float32: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  float64: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  int8: { bytes: 1, read: (v, at) => v.getInt8(at) },
  uint8: { bytes: 1, read: (v, at) => v.getUint8(at) },
  int16: { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  uint16: { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  int32: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  uint32: { bytes: 4, read: (v, at) => v.getUint32(at, true) },
  int64: { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
};

function isNdarray(value: unknown): value is { _rtype: 'ndarray'; _rvalue: unknown; _rdtype?: unknown; _rshape?: unknown } {
  return typeof value === 'object' && value !== null && (value as { _rtype?: unknown })._rtype === 'ndarray';
}

/**
 * A numpy array (one-dimensional, or of shape [1, n]) as a list of numbers; anything else is
 * returned as it is, for the dimension and number checks of `vectorLiteral`.
 * @throws InvalidArgumentError for an ndarray of another dtype or shape, or with bytes that do not fit.
 */
export function decodeVector(value: unknown, what = 'The vector'): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number | bigint>, Number);
  if (!isNdarray(value)) return value;
  const dtype = String(value._rdtype ?? 'float64');
  const d = DTYPES[dtype];
  if (!d) throw new InvalidArgumentError(`${what} is a numpy array of dtype ${dtype}; use ${Object.keys(DTYPES).join(', ')}`);
  const shape = Array.isArray(value._rshape) ? (value._rshape as unknown[]) : null;
  if (shape && !(shape.length === 1 || (shape.length === 2 && shape[0] === 1))) {
    throw new InvalidArgumentError(`${what} must be a one-dimensional array, got shape ${JSON.stringify(shape)}`);
  }
  const raw = value._rvalue;
  if (!(raw instanceof Uint8Array)) throw new InvalidArgumentError(`${what} is a numpy array without its bytes`);
  if (raw.byteLength % d.bytes !== 0) throw new InvalidArgumentError(`${what}: ${raw.byteLength} bytes are not a whole number of ${dtype} values`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  for (let at = 0; at < raw.byteLength; at += d.bytes) out.push(d.read(view, at));
  return out;
}
