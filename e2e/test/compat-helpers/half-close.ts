/**
 * Leaves an npm hypha-rpc client's socket half-closed: the close frame reaches the server, but the
 * client stops reading, so the server-side socket stays CLOSING (up to ws's 30 s close timeout)
 * instead of closing at once. This pins the race "a call arrives while the target is closing".
 */
import type { NpmServer } from './npm-client.js';

interface NodeWs {
  readyState: number;
  close(code?: number, reason?: string): void;
  _socket?: { pause(): void; destroy(): void };
}

export function startHalfClose(api: NpmServer): { destroy(): void } {
  const ws = api.rpc?._connection?._websocket as NodeWs | undefined;
  if (!ws?._socket) throw new Error('half-close: the hypha-rpc connection has no node ws socket (is globalThis.WebSocket the ws package?)');
  const socket = ws._socket;
  // Stop reading first, so neither the server's close frame nor its FIN is consumed.
  socket.pause();
  ws.close(1000, 'half-close');
  return { destroy: () => socket.destroy() };
}
