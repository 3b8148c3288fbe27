/** Opens many idle WebSocket connections that each complete the hypha handshake. */
import type WebSocket from 'ws';
import { openHandshaken } from './raw-peer.js';

export interface IdleConnections {
  sockets: WebSocket[];
  /** Opens more connections until `total` are open, `concurrency` handshakes at a time. */
  growTo(total: number): Promise<void>;
  closeAll(): Promise<void>;
}

export function idleConnections(url: string, concurrency = 64): IdleConnections {
  const sockets: WebSocket[] = [];
  const run = `${process.pid}-${Date.now().toString(36)}`;
  return {
    sockets,
    async growTo(total) {
      let next = sockets.length;
      const worker = async (): Promise<void> => {
        while (next < total) {
          const index = next++;
          sockets.push(await openHandshaken(url, { client_id: `idle-${run}-${index}` }));
        }
      };
      await Promise.all(Array.from({ length: concurrency }, () => worker()));
    },
    async closeAll() {
      await Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.once('close', () => resolve());
              s.terminate();
            }),
        ),
      );
      sockets.length = 0;
    },
  };
}
