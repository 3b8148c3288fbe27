/**
 * A fast msgpack encoder for the values frames carry (maps, arrays, strings, numbers, booleans,
 * null and byte arrays), writing into one reusable scratch buffer.
 *
 * Its output is byte for byte what `@msgpack/msgpack`'s default `Encoder` produces for the same
 * value. Anything outside that set (a `Date`, a `bigint`, a function, a tree deeper than 100
 * levels, a re-entrant call) makes {@link writeValue} throw {@link Unsupported}; the caller then
 * encodes the whole value with `@msgpack/msgpack` instead, so results and errors stay the
 * library's.
 */

/** Thrown when a value needs the general encoder. */
export class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('value needs the general msgpack encoder');

/** Deepest nesting the general encoder accepts (its `maxDepth`). */
const MAX_DEPTH = 100;
/** Strings longer than this are encoded with TextEncoder (the general encoder's threshold). */
const TEXT_ENCODER_THRESHOLD = 50;
const INITIAL_SIZE = 16 * 1024;
/** A scratch buffer grown beyond this is dropped after use instead of kept. */
const KEEP_LIMIT = 1024 * 1024;
/**
 * Byte arrays at least this long are not copied into the scratch buffer: only their msgpack
 * header is written there, and their bytes are copied once, straight into the output.
 */
const DEFER_BYTES = 4096;

const textEncoder = new TextEncoder();

let buf = new Uint8Array(INITIAL_SIZE);
let view = new DataView(buf.buffer);
let pos = 0;
let busy = false;
/** Large byte arrays left out of `buf`: `deferredAt[i]` is the scratch offset they follow. */
const deferredAt: number[] = [];
const deferredBytes: Uint8Array[] = [];
let deferredTotal = 0;

function ensure(n: number): void {
  const need = pos + n;
  if (need <= buf.byteLength) return;
  const next = new Uint8Array(Math.max(need, buf.byteLength * 2));
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(next.buffer);
}

/** UTF-8 byte count; a lone surrogate counts 3 bytes, as in the general encoder. */
function utf8Length(str: string): number {
  const n = str.length;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const low = str.charCodeAt(i + 1);
        if ((low & 0xfc00) === 0xdc00) {
          i++;
          c = 0x10000;
        }
      }
      bytes += c >= 0x10000 ? 4 : 3;
    }
  }
  return bytes;
}

/** Writes UTF-8 at `pos` (room already ensured); lone surrogates are written as 3 bytes. */
function writeUtf8(str: string): void {
  const n = str.length;
  const out = buf;
  let p = pos;
  for (let i = 0; i < n; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
      continue;
    }
    if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const low = str.charCodeAt(i + 1);
        if ((low & 0xfc00) === 0xdc00) {
          i++;
          c = ((c & 0x3ff) << 10) + (low & 0x3ff) + 0x10000;
        }
      }
      if (c < 0x10000) {
        out[p++] = 0xe0 | (c >> 12);
        out[p++] = 0x80 | ((c >> 6) & 0x3f);
      } else {
        out[p++] = 0xf0 | (c >> 18);
        out[p++] = 0x80 | ((c >> 12) & 0x3f);
        out[p++] = 0x80 | ((c >> 6) & 0x3f);
      }
    }
    out[p++] = 0x80 | (c & 0x3f);
  }
  pos = p;
}

function writeString(str: string): void {
  const n = str.length;
  // ASCII-only short strings (keys, ids, method paths): one pass, no length pre-count.
  if (n < 32) {
    ensure(1 + n * 3);
    const out = buf;
    const start = pos + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = str.charCodeAt(i);
      if (c >= 0x80) break;
      out[start + i] = c;
    }
    if (i === n) {
      out[pos] = 0xa0 + n;
      pos = start + n;
      return;
    }
  }
  const size = utf8Length(str);
  ensure(5 + size);
  if (size < 32) {
    buf[pos++] = 0xa0 + size;
  } else if (size < 0x100) {
    buf[pos++] = 0xd9;
    buf[pos++] = size;
  } else if (size < 0x10000) {
    buf[pos++] = 0xda;
    view.setUint16(pos, size);
    pos += 2;
  } else {
    if (size >= 0x100000000) throw UNSUPPORTED;
    buf[pos++] = 0xdb;
    view.setUint32(pos, size);
    pos += 4;
  }
  if (n > TEXT_ENCODER_THRESHOLD) {
    textEncoder.encodeInto(str, buf.subarray(pos, pos + size));
    pos += size;
  } else {
    writeUtf8(str);
  }
}

function writeNumber(n: number): void {
  ensure(9);
  if (Number.isSafeInteger(n)) {
    if (n >= 0) {
      if (n < 0x80) {
        buf[pos++] = n;
      } else if (n < 0x100) {
        buf[pos++] = 0xcc;
        buf[pos++] = n;
      } else if (n < 0x10000) {
        buf[pos++] = 0xcd;
        view.setUint16(pos, n);
        pos += 2;
      } else if (n < 0x100000000) {
        buf[pos++] = 0xce;
        view.setUint32(pos, n);
        pos += 4;
      } else {
        buf[pos++] = 0xcf;
        view.setUint32(pos, n / 0x100000000);
        view.setUint32(pos + 4, n >>> 0);
        pos += 8;
      }
    } else if (n >= -0x20) {
      buf[pos++] = 0xe0 | (n + 0x20);
    } else if (n >= -0x80) {
      buf[pos++] = 0xd0;
      view.setInt8(pos, n);
      pos += 1;
    } else if (n >= -0x8000) {
      buf[pos++] = 0xd1;
      view.setInt16(pos, n);
      pos += 2;
    } else if (n >= -0x80000000) {
      buf[pos++] = 0xd2;
      view.setInt32(pos, n);
      pos += 4;
    } else {
      buf[pos++] = 0xd3;
      view.setInt32(pos, Math.floor(n / 0x100000000));
      view.setUint32(pos + 4, n >>> 0);
      pos += 8;
    }
    return;
  }
  buf[pos++] = 0xcb;
  view.setFloat64(pos, n);
  pos += 8;
}

function writeBytes(bytes: Uint8Array): void {
  const size = bytes.byteLength;
  ensure(size >= DEFER_BYTES ? 5 : 5 + size);
  if (size < 0x100) {
    buf[pos++] = 0xc4;
    buf[pos++] = size;
  } else if (size < 0x10000) {
    buf[pos++] = 0xc5;
    view.setUint16(pos, size);
    pos += 2;
  } else {
    if (size >= 0x100000000) throw UNSUPPORTED;
    buf[pos++] = 0xc6;
    view.setUint32(pos, size);
    pos += 4;
  }
  if (size >= DEFER_BYTES) {
    deferredAt.push(pos);
    deferredBytes.push(bytes);
    deferredTotal += size;
    return;
  }
  buf.set(bytes, pos);
  pos += size;
}

function writeHeader(size: number, fix: number, b16: number, b32: number): void {
  ensure(5);
  if (size < 16) {
    buf[pos++] = fix + size;
  } else if (size < 0x10000) {
    buf[pos++] = b16;
    view.setUint16(pos, size);
    pos += 2;
  } else {
    buf[pos++] = b32;
    view.setUint32(pos, size);
    pos += 4;
  }
}

function write(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw UNSUPPORTED;
  if (value === null || value === undefined) {
    ensure(1);
    buf[pos++] = 0xc0;
    return;
  }
  switch (typeof value) {
    case 'string':
      writeString(value);
      return;
    case 'number':
      writeNumber(value);
      return;
    case 'boolean':
      ensure(1);
      buf[pos++] = value ? 0xc3 : 0xc2;
      return;
    case 'object':
      break;
    default:
      throw UNSUPPORTED;
  }
  if (value instanceof Uint8Array) {
    writeBytes(value);
  } else if (Array.isArray(value)) {
    const n = value.length;
    writeHeader(n, 0x90, 0xdc, 0xdd);
    for (let i = 0; i < n; i++) write(value[i], depth + 1);
  } else if (ArrayBuffer.isView(value)) {
    writeBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (value instanceof Date) {
    throw UNSUPPORTED; // msgpack timestamp extension
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const n = keys.length;
    writeHeader(n, 0x80, 0xde, 0xdf);
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      writeString(key);
      write(record[key], depth + 1);
    }
  }
}

/**
 * Encodes `first` and then, if given, `second` back to back, and returns a fresh copy of the
 * bytes (one allocation).
 * @throws Unsupported when either value needs the general encoder.
 */
export function writeValues(first: unknown, second?: unknown, withSecond = false): Uint8Array {
  return writeValuesThen(first, second, withSecond, null);
}

/**
 * Like {@link writeValues}, with `tail` bytes appended after the encoded values. The output is
 * one allocation; large byte arrays and `tail` are copied into it once, directly.
 */
export function writeValuesThen(first: unknown, second: unknown, withSecond: boolean, tail: Uint8Array | null): Uint8Array {
  if (busy) throw UNSUPPORTED;
  busy = true;
  pos = 0;
  try {
    write(first, 1);
    if (withSecond) write(second, 1);
    const out = new Uint8Array(pos + deferredTotal + (tail ? tail.byteLength : 0));
    let from = 0;
    let at = 0;
    for (let i = 0; i < deferredAt.length; i++) {
      const upTo = deferredAt[i]!;
      const bytes = deferredBytes[i]!;
      out.set(buf.subarray(from, upTo), at);
      at += upTo - from;
      out.set(bytes, at);
      at += bytes.byteLength;
      from = upTo;
    }
    out.set(buf.subarray(from, pos), at);
    if (tail) out.set(tail, at + pos - from);
    return out;
  } finally {
    busy = false;
    pos = 0;
    deferredAt.length = 0;
    deferredBytes.length = 0;
    deferredTotal = 0;
    if (buf.byteLength > KEEP_LIMIT) {
      buf = new Uint8Array(INITIAL_SIZE);
      view = new DataView(buf.buffer);
    }
  }
}
