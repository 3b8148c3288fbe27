/**
 * The two-segment frame of the hypha-rpc wire protocol (spec §3.1):
 * `msgpack(main) ⧺ msgpack(extra)`, where segment 1 carries routing fields and segment 2 the
 * payload. Routers decode and rewrite segment 1 only and forward segment 2 byte for byte.
 *
 * @example
 * ```ts
 * const { header, headerEnd } = decodeFrameHeader(frame);
 * const out = rewriteFrameHeader(frame, { ...header, from: 'ws/c1', ws: 'ws' }, headerEnd);
 * ```
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { MsgpackFormatError, msgpackValueEnd } from './msgpack-length.js';
import { readValues } from './msgpack-reader.js';
import { Unsupported, writeValues, writeValuesThen } from './msgpack-writer.js';

/** Segment-1 map of a frame; `type` names the event (`"method"` for calls and replies). */
export interface FrameHeader {
  type?: string;
  from?: string;
  to?: string;
  method?: string;
  session?: string;
  parent?: string;
  ws?: string;
  user?: unknown;
  [key: string]: unknown;
}

/** A decoded frame: segment 1 and, when present, segment 2. */
export interface DecodedFrame {
  main: FrameHeader;
  extra?: Record<string, unknown>;
}

/** Thrown for bytes that are not a valid one- or two-segment frame. */
export class FrameError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FrameError';
  }
}

// The general codec: used for values the fast reader/writer leave to it (dates, extension
// types) and for malformed input, so that results and error messages are the library's.
const encoder = new Encoder();
const decoder = new Decoder();

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function decodeSegment(bytes: Uint8Array, start: number, end: number, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = decoder.decode(bytes.subarray(start, end));
  } catch (err) {
    throw new FrameError(`malformed frame: ${name} is not valid msgpack (${(err as Error).message})`, { cause: err });
  }
  if (!isMap(value)) {
    throw new FrameError(`malformed frame: ${name} must be a map, got ${Array.isArray(value) ? 'array' : typeof value}`);
  }
  return value;
}

function segmentEnd(bytes: Uint8Array, start: number, name: string): number {
  try {
    return msgpackValueEnd(bytes, start);
  } catch (err) {
    if (err instanceof MsgpackFormatError) {
      throw new FrameError(`malformed frame: ${name}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/** Encodes one msgpack value (no extension types are produced for plain data). */
export function encodeMsgpack(value: unknown): Uint8Array {
  try {
    return writeValues(value);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    return encoder.encode(value);
  }
}

/** Encodes `main` and, when given, `extra` as one frame. */
export function encodeFrame(main: FrameHeader, extra?: Record<string, unknown>): Uint8Array {
  try {
    return writeValues(main, extra, extra !== undefined);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
  }
  const head = encoder.encode(main);
  if (extra === undefined) return head;
  const tail = encoder.encode(extra);
  const out = new Uint8Array(head.byteLength + tail.byteLength);
  out.set(head, 0);
  out.set(tail, head.byteLength);
  return out;
}

/**
 * Decodes segment 1 only and returns where the remainder starts, so the caller can forward
 * `frame.subarray(headerEnd)` untouched.
 * @throws FrameError when segment 1 is missing, truncated or not a map.
 */
export function decodeFrameHeader(frame: Uint8Array): { header: FrameHeader; headerEnd: number } {
  if (!(frame instanceof Uint8Array)) throw new FrameError('malformed frame: expected binary data');
  if (frame.byteLength === 0) throw new FrameError('malformed frame: empty');
  try {
    const read = readValues(frame, 0, false);
    if (isMap(read.first)) return { header: read.first as FrameHeader, headerEnd: read.firstEnd };
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
  }
  // Unusual or malformed bytes: the general decoder gives the value or the precise error.
  const headerEnd = segmentEnd(frame, 0, 'segment 1');
  return { header: decodeSegment(frame, 0, headerEnd, 'segment 1') as FrameHeader, headerEnd };
}

/**
 * Replaces segment 1 of `frame` with `header` and keeps the remaining bytes as they are.
 * Pass `headerEnd` from {@link decodeFrameHeader} to avoid measuring segment 1 again.
 */
export function rewriteFrameHeader(frame: Uint8Array, header: FrameHeader, headerEnd?: number): Uint8Array {
  const end = headerEnd ?? segmentEnd(frame, 0, 'segment 1');
  const rest = frame.subarray(end);
  try {
    return writeValuesThen(header, undefined, false, rest);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
  }
  const head = encoder.encode(header);
  const out = new Uint8Array(head.byteLength + rest.byteLength);
  out.set(head, 0);
  out.set(rest, head.byteLength);
  return out;
}

/**
 * Decodes a whole frame.
 * @throws FrameError naming the bad segment when either segment is invalid, or when bytes follow
 * segment 2.
 */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  if (frame instanceof Uint8Array && frame.byteLength > 0) {
    try {
      const read = readValues(frame, 0, true);
      if (read.secondEnd === frame.byteLength && isMap(read.first)) {
        if (read.firstEnd === frame.byteLength) return { main: read.first as FrameHeader };
        if (isMap(read.second)) return { main: read.first as FrameHeader, extra: read.second as Record<string, unknown> };
      }
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
    }
  }
  // Unusual or malformed bytes: the general path gives the value or the precise error.
  const { header, headerEnd } = decodeFrameHeader(frame);
  if (headerEnd === frame.byteLength) return { main: header };
  const extraEnd = segmentEnd(frame, headerEnd, 'segment 2');
  if (extraEnd !== frame.byteLength) {
    throw new FrameError(`malformed frame: ${frame.byteLength - extraEnd} unexpected byte(s) after segment 2`);
  }
  return { main: header, extra: decodeSegment(frame, headerEnd, extraEnd, 'segment 2') };
}

/**
 * Keys a receiver takes from segment 1 only: the router stamps `from`, `to`, `ws` and `user` there,
 * and `ctx` is built from them. A copy in segment 2 (which routers forward unread) is ignored.
 */
const SEGMENT1_ONLY = new Set(['from', 'to', 'ws', 'user', 'ctx']);

/** Merges segment 2 into the decoded segment 1 like hypha-rpc, except for the keys the router stamps. */
export function mergeSegment2(main: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const key of Object.keys(extra)) {
    if (!SEGMENT1_ONLY.has(key)) main[key] = extra[key];
  }
}
