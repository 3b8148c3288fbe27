import { WS_CLOSING, type WebSocketLike } from './websocket-like.js';

/** Detach all handlers and close (used for sockets that must not trigger reconnection). */
export function dropSocket(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
  if (ws.readyState < WS_CLOSING) ws.close(1000, 'Handshake aborted');
}

/** A binary frame's bytes, whatever shape the WebSocket implementation delivers. */
export function toUint8Array(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  // toString tag rather than instanceof: frames may come from another realm (iframe, worker shim)
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return new Uint8Array(data as ArrayBuffer);
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new Error(`Unsupported binary frame type: ${Object.prototype.toString.call(data)}`);
}

/** A close reason is limited to 123 UTF-8 bytes. */
export function truncateReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= 123) return reason;
  return new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD$/, '');
}
