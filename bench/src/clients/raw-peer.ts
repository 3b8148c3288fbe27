/**
 * A raw peer for the floors: a `ws` socket speaking the two-segment msgpack frames by hand.
 * As a caller it sends `type:"method"` frames with a session and waits for `<session>.resolve`;
 * as a callee it answers each call with the value its handler returns.
 */
import { decodeMulti, encode } from '@msgpack/msgpack';
import WebSocket from 'ws';

export type CallHandler = (args: unknown[]) => unknown;

export interface RawPeer {
  address: string;
  call(target: string, method: string, args: unknown[]): Promise<unknown>;
  /** Serve incoming calls with `handler`. */
  serve(handler: CallHandler): void;
  close(): Promise<void>;
}

function frame(main: Record<string, unknown>, extra: Record<string, unknown>): Uint8Array {
  const a = encode(main);
  const b = encode(extra);
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Opens a socket and performs the handshake (first text frame, first text reply). */
export function openHandshaken(url: string, hello: Record<string, unknown>): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify(hello)));
    socket.once('message', (data, isBinary) => {
      if (isBinary) {
        reject(new Error(`raw-peer: expected a text handshake reply from ${url}`));
        return;
      }
      const info = JSON.parse(String(data)) as { type?: string; message?: string };
      if (info.type === 'error') {
        reject(new Error(`raw-peer: handshake refused by ${url}: ${info.message}`));
        return;
      }
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

export async function connectRawPeer(url: string, clientId: string, workspace = 'bench'): Promise<RawPeer> {
  const socket = await openHandshaken(url, { client_id: clientId, workspace });
  const address = `${workspace}/${clientId}`;
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let handler: CallHandler | null = null;
  let nextSession = 0;

  socket.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const [main, extra] = [...decodeMulti(data)] as [Record<string, unknown>, Record<string, unknown> | undefined];
    const method = String(main.method);
    const dot = method.lastIndexOf('.');
    const kind = method.slice(dot + 1);
    if (kind === 'resolve' || kind === 'reject') {
      const session = method.slice(0, dot);
      const p = pending.get(session);
      if (!p) throw new Error(`raw-peer ${address}: reply for unknown session ${session}`);
      pending.delete(session);
      const args = (extra?.args ?? []) as unknown[];
      if (kind === 'resolve') p.resolve(args[0]);
      else p.reject(new Error(`raw-peer ${address}: call rejected: ${JSON.stringify(args[0])}`));
      return;
    }
    if (!handler) throw new Error(`raw-peer ${address}: call ${method} but no handler`);
    const result = handler((extra?.args ?? []) as unknown[]);
    socket.send(frame({ type: 'method', from: address, to: main.from, method: `${String(main.session)}.resolve` }, { args: [result] }), {
      binary: true,
    });
  });

  return {
    address,
    call(target, method, args) {
      const session = `s${nextSession++}`;
      return new Promise((resolve, reject) => {
        pending.set(session, { resolve, reject });
        socket.send(frame({ type: 'method', from: address, to: target, method, session }, { args, with_kwargs: false }), {
          binary: true,
        });
      });
    },
    serve(h) {
      handler = h;
    },
    close() {
      return new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}

/** A raw echo client: one binary frame out, the same frame back, in order. */
export async function connectEchoClient(url: string): Promise<{ roundTrip(payload: Uint8Array): Promise<void>; close(): Promise<void> }> {
  const socket = await openHandshaken(url, { client_id: 'echo' });
  const waiting: Array<() => void> = [];
  socket.on('message', (_data, isBinary) => {
    if (!isBinary) return;
    const next = waiting.shift();
    if (!next) throw new Error('echo client: unexpected frame');
    next();
  });
  return {
    roundTrip(payload) {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        socket.send(payload, { binary: true });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}
