/**
 * Back-pressure hooks for one `ws` connection (see `EndpointFlow` in @hypha/workspace): the
 * router pauses reading from senders while this socket's outgoing buffer is above the
 * high-water mark, and resumes them when it has been written out.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { EndpointFlow } from '@hypha/workspace/internal';

/** Default high-water mark of a socket's outgoing buffer: two 256 KiB chunks. */
export const DEFAULT_FLOW_HIGH_WATER_MARK = 512 * 1024;

/** The TCP socket under a `ws` WebSocket (ws@8 keeps it in `_socket`; no public accessor). */
function rawSocket(ws: WebSocket): Duplex | undefined {
  return (ws as unknown as { _socket?: Duplex | null })._socket ?? undefined;
}

export function websocketFlow(ws: WebSocket, highWaterMark = DEFAULT_FLOW_HIGH_WATER_MARK): EndpointFlow {
  return {
    congested: () => ws.bufferedAmount > highWaterMark,
    onDrain(drained: () => void): void {
      const socket = rawSocket(ws);
      if (socket === undefined || socket.destroyed) return; // closed: the router releases waiters on detach
      // 'drain' fires once the buffer that went over the stream's own (smaller) mark is empty.
      if (socket.writableLength === 0) queueMicrotask(drained);
      else socket.once('drain', drained);
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}
