import type { BusPayload } from '../event-bus.js';
import { EventBusError } from '../errors.js';

/** Throws a clear error unless `data` is a valid bus payload (bytes, string, object or array). */
export function assertPayload(event: string, data: unknown): asserts data is BusPayload {
  if (data instanceof Uint8Array || typeof data === 'string') return;
  if (typeof data === 'object' && data !== null) return;
  throw new EventBusError(
    'INVALID_ARGUMENT',
    `Invalid payload for event '${event}': expected Uint8Array, string, object or array, got ${data === null ? 'null' : typeof data}`,
  );
}

const TYPE_BYTES = 0x62; // 'b'
const TYPE_JSON = 0x64; // 'd'
const TYPE_STRING = 0x73; // 's'
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encode a payload as the reference does on Redis: one type byte (`b` bytes, `d` JSON, `s` utf-8
 * string) followed by the data.
 */
export function encodePayload(data: BusPayload): Uint8Array {
  let type: number;
  let body: Uint8Array;
  if (data instanceof Uint8Array) {
    type = TYPE_BYTES;
    body = data;
  } else if (typeof data === 'string') {
    type = TYPE_STRING;
    body = encoder.encode(data);
  } else {
    type = TYPE_JSON;
    body = encoder.encode(JSON.stringify(data));
  }
  const out = new Uint8Array(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return out;
}

/** Decode a type-byte payload; throws a clear error for an empty payload or unknown type byte. */
export function decodePayload(channel: string, payload: Uint8Array): BusPayload {
  if (payload.length === 0) {
    throw new EventBusError('INVALID_ARGUMENT', `Empty payload on channel '${channel}'`);
  }
  const body = payload.subarray(1);
  switch (payload[0]) {
    case TYPE_BYTES:
      return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    case TYPE_JSON:
      return JSON.parse(decoder.decode(body)) as BusPayload;
    case TYPE_STRING:
      return decoder.decode(body);
    default:
      throw new EventBusError(
        'INVALID_ARGUMENT',
        `Unknown payload type byte 0x${payload[0]!.toString(16)} on channel '${channel}'`,
      );
  }
}
