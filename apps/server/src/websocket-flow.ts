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

/** Default time a congested consumer may keep its senders waiting before it is cut off. */
export const DEFAULT_SLOW_CONSUMER_MS = 30_000;

/** Close code for a consumer cut off for not reading (1013: try again later). */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;

/**
 * `slowConsumerMs`: a consumer whose buffer does not drain within this time while senders wait on
 * it is cut off (close code 1013, then the socket is destroyed, since it does not read the close
 * frame); its waiting senders are released on detach, so one consumer that stops reading cannot
 * freeze a provider for everybody else (issue #10 item 4).
 */
export function websocketFlow(ws: WebSocket, highWaterMark = DEFAULT_FLOW_HIGH_WATER_MARK, slowConsumerMs = DEFAULT_SLOW_CONSUMER_MS): EndpointFlow {
  return {
    congested: () => ws.bufferedAmount > highWaterMark,
    onDrain(drained: () => void): void {
      const socket = rawSocket(ws);
      if (socket === undefined || socket.destroyed) return; // closed: the router releases waiters on detach
      // 'drain' fires once the buffer that went over the stream's own (smaller) mark is empty.
      if (socket.writableLength === 0) {
        queueMicrotask(drained);
        return;
      }
      const cutOff = setTimeout(() => {
        socket.off('drain', onDrained);
        ws.close(SLOW_CONSUMER_CLOSE_CODE, `Slow consumer: the outgoing buffer did not drain within ${slowConsumerMs / 1000} s`);
        ws.terminate();
      }, slowConsumerMs);
      cutOff.unref();
      const onDrained = (): void => {
        clearTimeout(cutOff);
        drained();
      };
      socket.once('drain', onDrained);
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}
