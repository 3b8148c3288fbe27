import { decode } from '@msgpack/msgpack';

/** Control messages of the HTTP stream (spec §10.2); everything else is an RPC frame. */
export interface StreamControl {
  type: 'connection_info' | 'ping' | 'pong' | 'reconnection_token' | 'error';
  [key: string]: unknown;
}

const CONTROL_TYPES = new Set(['connection_info', 'ping', 'pong', 'reconnection_token', 'error']);

/**
 * Splits the body of `GET /rpc` into frames: `uint32_be(length) ‖ payload[length]`. Bytes
 * arrive in arbitrary chunks; `push` returns the frames completed so far.
 */
export class FrameStreamParser {
  #buffer = new Uint8Array(4096);
  #length = 0;

  push(chunk: Uint8Array): Uint8Array[] {
    this.#append(chunk);
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (this.#length - offset >= 4) {
      const b = this.#buffer;
      const size = ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
      if (this.#length - offset - 4 < size) break;
      frames.push(this.#buffer.slice(offset + 4, offset + 4 + size));
      offset += 4 + size;
    }
    if (offset > 0) {
      this.#buffer.copyWithin(0, offset, this.#length);
      this.#length -= offset;
    }
    return frames;
  }

  #append(chunk: Uint8Array): void {
    const needed = this.#length + chunk.byteLength;
    if (needed > this.#buffer.byteLength) {
      let size = this.#buffer.byteLength;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length = needed;
  }
}

/**
 * A frame is a control message when it decodes as exactly one msgpack map whose `type` is a
 * control type. Two-segment RPC frames fail single-object decoding and are RPC frames.
 */
export function asControlMessage(frame: Uint8Array): StreamControl | null {
  let value: unknown;
  try {
    value = decode(frame);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && CONTROL_TYPES.has(type) ? (value as StreamControl) : null;
}

/** Encode one frame of the stream (used by tests and by servers). */
export function encodeStreamFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.byteLength);
  new DataView(out.buffer).setUint32(0, payload.byteLength, false);
  out.set(payload, 4);
  return out;
}
