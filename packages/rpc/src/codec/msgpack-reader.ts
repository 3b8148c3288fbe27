/**
 * A fast msgpack decoder for frames: reads one value at an offset and reports where it ended,
 * so a frame's two segments are decoded in one pass without measuring them first.
 *
 * Results equal those of `@msgpack/msgpack`'s default `Decoder`: maps become plain objects with
 * string (or number) keys, `bin` becomes a `Uint8Array` view into the input, 64-bit integers
 * become numbers. Extension types (the msgpack timestamp), unusual map keys, `__proto__` keys and
 * any malformed or truncated input make {@link readValue} throw {@link Unsupported}: the caller
 * then decodes with `@msgpack/msgpack`, so values and error messages stay the library's.
 */
import { Unsupported } from './msgpack-writer.js';

const UNSUPPORTED = new Unsupported('value needs the general msgpack decoder');
/** Strings longer than this (bytes) are decoded with TextDecoder (the library's threshold). */
const TEXT_DECODER_THRESHOLD = 200;
const textDecoder = new TextDecoder();

/** Short strings (map keys, ids) repeat in every frame: keep them to skip decoding and interning. */
const KEY_CACHE_SIZE = 512;
const KEY_MAX_LENGTH = 16;
const keyCacheBytes: Array<Uint8Array | undefined> = new Array(KEY_CACHE_SIZE);
const keyCacheStrings: Array<string | undefined> = new Array(KEY_CACHE_SIZE);

const EMPTY = new Uint8Array(0);
let bytes: Uint8Array = EMPTY;
/** Created on first use per input: most frames need no multi-byte reads. */
let dataView: DataView | null = null;
let pos = 0;
let end = 0;

function view(): DataView {
  return (dataView ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/**
 * UTF-8 decoding without validation, as the library's JS decoder does it. A sequence cut off by
 * the end of the string is left to the library: its result depends on where its input ends.
 */
function utf8Slow(start: number, length: number): string {
  const stop = start + length;
  const units: number[] = [];
  let out = '';
  let p = start;
  while (p < stop) {
    const b1 = bytes[p++]!;
    const extra = (b1 & 0xe0) === 0xc0 ? 1 : (b1 & 0xf0) === 0xe0 ? 2 : (b1 & 0xf8) === 0xf0 ? 3 : 0;
    if (p + extra > stop) throw UNSUPPORTED;
    if ((b1 & 0x80) === 0) {
      units.push(b1);
    } else if ((b1 & 0xe0) === 0xc0) {
      units.push(((b1 & 0x1f) << 6) | (bytes[p++]! & 0x3f));
    } else if ((b1 & 0xf0) === 0xe0) {
      const b2 = bytes[p++]! & 0x3f;
      const b3 = bytes[p++]! & 0x3f;
      units.push(((b1 & 0x1f) << 12) | (b2 << 6) | b3);
    } else if ((b1 & 0xf8) === 0xf0) {
      const b2 = bytes[p++]! & 0x3f;
      const b3 = bytes[p++]! & 0x3f;
      const b4 = bytes[p++]! & 0x3f;
      let cp = ((b1 & 0x07) << 18) | (b2 << 12) | (b3 << 6) | b4;
      if (cp > 0xffff) {
        cp -= 0x10000;
        units.push(((cp >>> 10) & 0x3ff) | 0xd800);
        cp = 0xdc00 | (cp & 0x3ff);
      }
      units.push(cp);
    } else {
      units.push(b1);
    }
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  if (units.length > 0) out += String.fromCharCode(...units);
  return out;
}

function readString(length: number): string {
  const start = pos;
  if (start + length > end) throw UNSUPPORTED;
  pos = start + length;
  if (length > TEXT_DECODER_THRESHOLD) return textDecoder.decode(bytes.subarray(start, start + length));
  let ascii = true;
  for (let i = start; i < start + length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return utf8Slow(start, length);
  if (length <= 16) {
    let s = '';
    for (let i = start; i < start + length; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return String.fromCharCode.apply(null, bytes.subarray(start, start + length) as unknown as number[]);
}

function readKeyString(length: number): string {
  if (length === 0 || length > KEY_MAX_LENGTH) return readString(length);
  const start = pos;
  if (start + length > end) throw UNSUPPORTED;
  let h = length;
  let high = 0;
  for (let i = start; i < start + length; i++) {
    const b = bytes[i]!;
    high |= b;
    h = (Math.imul(h, 31) + b) | 0;
  }
  // Only ASCII keys are cached: a malformed UTF-8 key may decode differently depending on the
  // bytes that follow it.
  if (high & 0x80) return readString(length);
  const slot = h & (KEY_CACHE_SIZE - 1);
  const cached = keyCacheBytes[slot];
  if (cached !== undefined && cached.byteLength === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      pos = start + length;
      return keyCacheStrings[slot]!;
    }
  }
  const str = readString(length);
  keyCacheBytes[slot] = bytes.slice(start, start + length);
  keyCacheStrings[slot] = str;
  return str;
}

function need(n: number): void {
  if (pos + n > end) throw UNSUPPORTED;
}

function readBytes(length: number): Uint8Array {
  need(length);
  const out = bytes.subarray(pos, pos + length);
  pos += length;
  return out;
}

function readKey(): string | number {
  need(1);
  const b = bytes[pos]!;
  if (b >= 0xa0 && b <= 0xbf) {
    pos++;
    return readKeyString(b - 0xa0);
  }
  const key = read();
  if (typeof key === 'string' || typeof key === 'number') return key;
  throw UNSUPPORTED;
}

function readMap(size: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = readKey();
    if (key === '__proto__') throw UNSUPPORTED;
    out[key] = read();
  }
  return out;
}

function readArray(size: number): unknown[] {
  // An array cannot hold more items than there are bytes left: reject before allocating.
  if (size > end - pos) throw UNSUPPORTED;
  const out = new Array(size);
  for (let i = 0; i < size; i++) out[i] = read();
  return out;
}

function read(): unknown {
  need(1);
  const b = bytes[pos++]!;
  if (b < 0x80) return b;
  if (b >= 0xe0) return b - 0x100;
  if (b < 0x90) return readMap(b - 0x80);
  if (b < 0xa0) return readArray(b - 0x90);
  // Short strings (client ids, method names) repeat from frame to frame: use the cache.
  if (b < 0xc0) return readKeyString(b - 0xa0);
  let v: number;
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      need(1);
      return readBytes(bytes[pos++]!);
    case 0xc5:
      need(2);
      v = view().getUint16(pos);
      pos += 2;
      return readBytes(v);
    case 0xc6:
      need(4);
      v = view().getUint32(pos);
      pos += 4;
      return readBytes(v);
    case 0xca:
      need(4);
      v = view().getFloat32(pos);
      pos += 4;
      return v;
    case 0xcb:
      need(8);
      v = view().getFloat64(pos);
      pos += 8;
      return v;
    case 0xcc:
      need(1);
      return bytes[pos++]!;
    case 0xcd:
      need(2);
      v = view().getUint16(pos);
      pos += 2;
      return v;
    case 0xce:
      need(4);
      v = view().getUint32(pos);
      pos += 4;
      return v;
    case 0xcf:
      need(8);
      v = view().getUint32(pos) * 0x100000000 + view().getUint32(pos + 4);
      pos += 8;
      return v;
    case 0xd0:
      need(1);
      v = view().getInt8(pos);
      pos += 1;
      return v;
    case 0xd1:
      need(2);
      v = view().getInt16(pos);
      pos += 2;
      return v;
    case 0xd2:
      need(4);
      v = view().getInt32(pos);
      pos += 4;
      return v;
    case 0xd3:
      need(8);
      v = view().getInt32(pos) * 0x100000000 + view().getUint32(pos + 4);
      pos += 8;
      return v;
    case 0xd9:
      need(1);
      return readString(bytes[pos++]!);
    case 0xda:
      need(2);
      v = view().getUint16(pos);
      pos += 2;
      return readString(v);
    case 0xdb:
      need(4);
      v = view().getUint32(pos);
      pos += 4;
      return readString(v);
    case 0xdc:
      need(2);
      v = view().getUint16(pos);
      pos += 2;
      return readArray(v);
    case 0xdd:
      need(4);
      v = view().getUint32(pos);
      pos += 4;
      return readArray(v);
    case 0xde:
      need(2);
      v = view().getUint16(pos);
      pos += 2;
      return readMap(v);
    case 0xdf:
      need(4);
      v = view().getUint32(pos);
      pos += 4;
      return readMap(v);
    default:
      // Extension types (0xc7–0xc9, 0xd4–0xd8) and the reserved byte 0xc1.
      throw UNSUPPORTED;
  }
}

/** Result of {@link readValues}. */
export interface ReadResult {
  first: unknown;
  /** Offset just past the first value. */
  firstEnd: number;
  second: unknown;
  /** Offset just past the second value (equals `firstEnd` when it was not read). */
  secondEnd: number;
}

/**
 * Decodes the msgpack value at `offset` of `input` and, when `readSecond` and bytes remain, the
 * value right after it.
 * @throws Unsupported when the library decoder must handle the bytes (see the module comment).
 */
export function readValues(input: Uint8Array, offset: number, readSecond: boolean): ReadResult {
  bytes = input;
  dataView = null;
  end = input.byteLength;
  pos = offset;
  try {
    const first = read();
    const firstEnd = pos;
    const second = readSecond && pos < end ? read() : undefined;
    return { first, firstEnd, second, secondEnd: pos };
  } catch (err) {
    if (err instanceof RangeError) throw UNSUPPORTED; // e.g. a call stack overflow on deep nesting
    throw err;
  } finally {
    // Do not keep a large frame alive through the module state.
    bytes = EMPTY;
    dataView = null;
  }
}
