/**
 * Guards segment 2 of a routed frame (issue #10 item 1, rpc-protocol §3.3).
 *
 * hypha-rpc clients (npm and Python) merge segment 2 over segment 1 when they read a frame, so a
 * `from`, `to`, `ws`, `user` or `ctx` planted in segment 2 would override what the router stamped
 * in segment 1: a caller could claim to be any client of any workspace. The router refuses such
 * frames. Only the top-level keys of segment 2 are read (values are skipped by length, so a large
 * binary argument costs nothing and is still forwarded without a copy).
 */
import { msgpackValueEnd } from '@hypha/rpc';

/** Keys a receiver must only ever take from the router's stamp. */
export const TRUSTED_KEYS = ['to', 'from', 'ws', 'user', 'ctx'] as const;

const TRUSTED_BYTES = TRUSTED_KEYS.map((k) => new TextEncoder().encode(k));

/** Where the string starting at `pos` keeps its bytes, or null when the value is not a string. */
export function stringBytesAt(frame: Uint8Array, pos: number): { start: number; length: number } | null {
  const tag = frame[pos]!;
  if (tag >= 0xa0 && tag <= 0xbf) return { start: pos + 1, length: tag & 0x1f };
  if (tag === 0xd9) return { start: pos + 2, length: frame[pos + 1]! };
  if (tag === 0xda) return { start: pos + 3, length: (frame[pos + 1]! << 8) | frame[pos + 2]! };
  if (tag === 0xdb) {
    const length = ((frame[pos + 1]! << 24) | (frame[pos + 2]! << 16) | (frame[pos + 3]! << 8) | frame[pos + 4]!) >>> 0;
    return { start: pos + 5, length };
  }
  return null;
}

/** The trusted key the map key at `pos` spells (in any string encoding), or null. */
export function trustedKeyAt(frame: Uint8Array, pos: number): string | null {
  const str = stringBytesAt(frame, pos);
  if (str === null || str.length > 4 || str.start + str.length > frame.length) return null;
  for (let k = 0; k < TRUSTED_BYTES.length; k++) {
    const key = TRUSTED_BYTES[k]!;
    if (key.length !== str.length) continue;
    let same = true;
    for (let i = 0; i < key.length; i++) {
      if (frame[str.start + i] !== key[i]) {
        same = false;
        break;
      }
    }
    if (same) return TRUSTED_KEYS[k]!;
  }
  return null;
}

/**
 * Why segment 2 (from `headerEnd` to the end of `frame`) cannot be forwarded, or null when it
 * can: it names a trusted key, or it is not readable msgpack. A frame without segment 2, or whose
 * segment 2 is not a map (nothing a receiver would merge as keys), passes.
 */
export function segment2Problem(frame: Uint8Array, headerEnd: number): string | null {
  if (headerEnd >= frame.length) return null;
  const tag = frame[headerEnd]!;
  let count: number;
  let pos: number;
  if (tag >= 0x80 && tag <= 0x8f) {
    count = tag & 0x0f;
    pos = headerEnd + 1;
  } else if (tag === 0xde && headerEnd + 3 <= frame.length) {
    count = (frame[headerEnd + 1]! << 8) | frame[headerEnd + 2]!;
    pos = headerEnd + 3;
  } else if (tag === 0xdf && headerEnd + 5 <= frame.length) {
    count = ((frame[headerEnd + 1]! << 24) | (frame[headerEnd + 2]! << 16) | (frame[headerEnd + 3]! << 8) | frame[headerEnd + 4]!) >>> 0;
    pos = headerEnd + 5;
  } else {
    return null;
  }
  try {
    for (let i = 0; i < count; i++) {
      const key = trustedKeyAt(frame, pos);
      if (key !== null) {
        return `the frame carries the routing key '${key}' in segment 2; routing keys are set by the server in segment 1 only`;
      }
      pos = msgpackValueEnd(frame, msgpackValueEnd(frame, pos));
    }
  } catch (err) {
    return `segment 2 of the frame is not valid msgpack: ${err instanceof Error ? err.message : String(err)}`;
  }
  return null;
}
