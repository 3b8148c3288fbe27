/**
 * Rewrites segment 1 of a routed frame without re-encoding it (rpc-protocol §3.3).
 *
 * The router overwrites `to`, `from`, `ws` and `user`, and drops any `ctx` (clients build it from
 * the stamped fields; the Python client would trust one sent along). Instead of encoding the whole decoded map
 * again, the other key/value pairs are copied as raw bytes from the incoming frame, `to` is
 * encoded, and `from`/`ws`/`user` come pre-encoded from a {@link SenderStamp} (they are the same
 * for every frame a connection sends). Segment 2 follows byte for byte.
 *
 * @example
 * const stamp = new SenderStamp('ws-1/c1', user);
 * const out = stampFrame(frame, headerEnd, 'ws-1/c2', stamp.pairs('ws-1'));
 */
import { encodeMsgpack, msgpackValueEnd } from '@hypha/rpc';
import { trustedKeyAt } from './segment-guard.js';

const utf8 = new TextEncoder();


/** Encoded `from`, `ws` and `user` pairs of one sender, cached by `ws` value. */
export class SenderStamp {
  private readonly fromPair: Uint8Array;
  private readonly userPair: Uint8Array;
  private readonly byWorkspace = new Map<string, Uint8Array>();

  constructor(from: string, user: unknown) {
    this.fromPair = encodePair('from', from);
    this.userPair = encodePair('user', user);
  }

  /** The three encoded pairs `from`, `ws`, `user` (a map body of 3 entries). */
  pairs(ws: string): Uint8Array {
    let bytes = this.byWorkspace.get(ws);
    if (bytes === undefined) {
      const wsPair = encodePair('ws', ws);
      bytes = new Uint8Array(this.fromPair.length + wsPair.length + this.userPair.length);
      bytes.set(this.fromPair, 0);
      bytes.set(wsPair, this.fromPair.length);
      bytes.set(this.userPair, this.fromPair.length + wsPair.length);
      // A `*` connection can address many workspaces; keep the cache small.
      if (this.byWorkspace.size >= 32) this.byWorkspace.clear();
      this.byWorkspace.set(ws, bytes);
    }
    return bytes;
  }
}

function encodePair(key: string, value: unknown): Uint8Array {
  const k = encodeMsgpack(key);
  const v = encodeMsgpack(value);
  const out = new Uint8Array(k.length + v.length);
  out.set(k, 0);
  out.set(v, k.length);
  return out;
}

// Offsets of kept pairs (start, end, start, end, ...), reused across calls: routing is synchronous.
let kept = new Int32Array(64);

/**
 * Builds the routed frame: segment 1 of `frame` (which ends at `headerEnd` and must be a valid
 * msgpack map, as checked by `decodeFrameHeader`) minus any `to`/`from`/`ws`/`user`/`ctx` pair, plus
 * `to: target` and the sender's pre-encoded `stampPairs` (3 pairs), then the rest of `frame`.
 */
export function stampFrame(frame: Uint8Array, headerEnd: number, target: string, stampPairs: Uint8Array): Uint8Array {
  return stamp(frame, headerEnd, target, stampPairs, true);
}

/**
 * Only the new segment 1 of {@link stampFrame}: for forwarding a large frame as two pieces (the
 * stamped header, then `frame.subarray(headerEnd)` as received) without copying its payload.
 */
export function stampHeader(frame: Uint8Array, headerEnd: number, target: string, stampPairs: Uint8Array): Uint8Array {
  return stamp(frame, headerEnd, target, stampPairs, false);
}

function stamp(frame: Uint8Array, headerEnd: number, target: string, stampPairs: Uint8Array, withRest: boolean): Uint8Array {
  const tag = frame[0]!;
  let count: number;
  let pos: number;
  if (tag >= 0x80 && tag <= 0x8f) {
    count = tag & 0x0f;
    pos = 1;
  } else if (tag === 0xde) {
    count = (frame[1]! << 8) | frame[2]!;
    pos = 3;
  } else if (tag === 0xdf) {
    count = ((frame[1]! << 24) | (frame[2]! << 16) | (frame[3]! << 8) | frame[4]!) >>> 0;
    pos = 5;
  } else {
    throw new TypeError(`stampFrame: segment 1 is not a msgpack map (type byte 0x${tag.toString(16)})`);
  }
  if (kept.length < count * 2) kept = new Int32Array(count * 2);
  let keptCount = 0;
  let keptBytes = 0;
  for (let i = 0; i < count; i++) {
    const start = pos;
    pos = msgpackValueEnd(frame, msgpackValueEnd(frame, pos));
    if (trustedKeyAt(frame, start) !== null) continue;
    kept[keptCount * 2] = start;
    kept[keptCount * 2 + 1] = pos;
    keptCount++;
    keptBytes += pos - start;
  }
  const total = keptCount + 4;
  const mapHead = total <= 15 ? 1 : total <= 0xffff ? 3 : 5;
  const toLength = utf8Length(target);
  const toHead = toLength <= 31 ? 1 : toLength <= 0xff ? 2 : toLength <= 0xffff ? 3 : 5;
  const rest = withRest ? frame.length - headerEnd : 0;
  const out = new Uint8Array(mapHead + keptBytes + 3 + toHead + toLength + stampPairs.length + rest);
  let o = 0;
  if (mapHead === 1) out[o++] = 0x80 | total;
  else o = writeSizedHead(out, o, mapHead === 3 ? 0xde : 0xdf, mapHead - 1, total);
  for (let i = 0; i < keptCount; i++) {
    const start = kept[i * 2]!;
    const end = kept[i * 2 + 1]!;
    out.set(frame.subarray(start, end), o);
    o += end - start;
  }
  out[o++] = 0xa2; // "to"
  out[o++] = 0x74;
  out[o++] = 0x6f;
  if (toHead === 1) out[o++] = 0xa0 | toLength;
  else o = writeSizedHead(out, o, toHead === 2 ? 0xd9 : toHead === 3 ? 0xda : 0xdb, toHead - 1, toLength);
  o += writeUtf8(target, out, o, toLength);
  out.set(stampPairs, o);
  o += stampPairs.length;
  if (rest > 0) out.set(frame.subarray(headerEnd), o);
  return out;
}

/** Writes a msgpack type byte followed by `n` as a big-endian integer of `bytes` bytes (1, 2 or 4). */
function writeSizedHead(out: Uint8Array, o: number, type: number, bytes: number, n: number): number {
  out[o++] = type;
  for (let shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out[o++] = (n >>> shift) & 0xff;
  return o;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Writes `s` as UTF-8 at `offset`; ASCII is copied directly, the rest goes through TextEncoder. */
function writeUtf8(s: string, out: Uint8Array, offset: number, length: number): number {
  if (length === s.length) {
    for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
    return length;
  }
  return utf8.encodeInto(s, out.subarray(offset, offset + length)).written;
}

/** The segment-1 fields the router decides on; other fields are never decoded. */
export interface RoutingFields {
  type: string | undefined;
  to: string | undefined;
  from: string | undefined;
  session: string | undefined;
  /** The `method`, when the general decoder read segment 1. */
  method?: string | undefined;
  /** Where the `method` value starts and ends in segment 1 (-1 when absent); decoded only on demand. */
  methodStart: number;
  methodEnd: number;
  /** Where segment 1 ends. */
  headerEnd: number;
}

const utf8Decoder = new TextDecoder();

/**
 * Reads `type`, `to`, `from` and `session` from segment 1 without decoding the other fields.
 * Returns null when segment 1 is not a well-formed msgpack map (the caller then asks
 * `decodeFrameHeader` for the precise error).
 */
export function readRoutingFields(frame: Uint8Array): RoutingFields | null {
  if (frame.length === 0) return null;
  const tag = frame[0]!;
  let count: number;
  let pos: number;
  if (tag >= 0x80 && tag <= 0x8f) {
    count = tag & 0x0f;
    pos = 1;
  } else if (tag === 0xde && frame.length >= 3) {
    count = (frame[1]! << 8) | frame[2]!;
    pos = 3;
  } else if (tag === 0xdf && frame.length >= 5) {
    count = ((frame[1]! << 24) | (frame[2]! << 16) | (frame[3]! << 8) | frame[4]!) >>> 0;
    pos = 5;
  } else {
    return null;
  }
  const fields: RoutingFields = { type: undefined, to: undefined, from: undefined, session: undefined, methodStart: -1, methodEnd: -1, headerEnd: 0 };
  try {
    for (let i = 0; i < count; i++) {
      const keyEnd = msgpackValueEnd(frame, pos);
      const valueEnd = msgpackValueEnd(frame, keyEnd);
      const key = shortKey(frame, pos, keyEnd);
      if (key === KEY_METHOD) {
        fields.methodStart = keyEnd;
        fields.methodEnd = valueEnd;
      } else if (key !== 0) {
        const value = readString(frame, keyEnd, valueEnd);
        if (key === KEY_TO) fields.to = value;
        else if (key === KEY_FROM) fields.from = value;
        else if (key === KEY_SESSION) fields.session = value;
        else fields.type = value;
      }
      pos = valueEnd;
    }
  } catch {
    return null; // truncated or invalid bytes: decodeFrameHeader reports them precisely
  }
  fields.headerEnd = pos;
  return fields;
}

const KEY_TO = 1;
const KEY_FROM = 2;
const KEY_SESSION = 3;
const KEY_TYPE = 4;
const KEY_METHOD = 5;

/** Which routing key the fixstr key at `pos` is (0: another key). */
function shortKey(frame: Uint8Array, pos: number, end: number): number {
  const tag = frame[pos]!;
  if (tag < 0xa0 || tag > 0xbf) return 0;
  const len = end - pos - 1;
  const a = frame[pos + 1];
  if (len === 2 && a === 0x74 && frame[pos + 2] === 0x6f) return KEY_TO;
  if (len === 4 && a === 0x66 && frame[pos + 2] === 0x72 && frame[pos + 3] === 0x6f && frame[pos + 4] === 0x6d) return KEY_FROM;
  if (len === 4 && a === 0x74 && frame[pos + 2] === 0x79 && frame[pos + 3] === 0x70 && frame[pos + 4] === 0x65) return KEY_TYPE;
  if (len === 6 && a === 0x6d && frame[pos + 2] === 0x65 && frame[pos + 3] === 0x74 && frame[pos + 4] === 0x68 && frame[pos + 5] === 0x6f && frame[pos + 6] === 0x64) return KEY_METHOD;
  if (len === 7 && a === 0x73 && utf8Decoder.decode(frame.subarray(pos + 1, end)) === 'session') return KEY_SESSION;
  return 0;
}

/** The `method` of a frame read by {@link readRoutingFields}, or undefined when absent or not a string. */
export function methodOf(frame: Uint8Array, fields: RoutingFields): string | undefined {
  if (fields.method !== undefined) return fields.method;
  return fields.methodStart < 0 ? undefined : readString(frame, fields.methodStart, fields.methodEnd);
}

/** The string value in `[pos, end)`, or undefined when the value is not a string. */
function readString(frame: Uint8Array, pos: number, end: number): string | undefined {
  const tag = frame[pos]!;
  let start: number;
  if (tag >= 0xa0 && tag <= 0xbf) start = pos + 1;
  else if (tag === 0xd9) start = pos + 2;
  else if (tag === 0xda) start = pos + 3;
  else if (tag === 0xdb) start = pos + 5;
  else return undefined;
  if (end - start <= 64) {
    let ascii = '';
    for (let i = start; i < end; i++) {
      const c = frame[i]!;
      if (c >= 0x80) return utf8Decoder.decode(frame.subarray(start, end));
      ascii += String.fromCharCode(c);
    }
    return ascii;
  }
  return utf8Decoder.decode(frame.subarray(start, end));
}
