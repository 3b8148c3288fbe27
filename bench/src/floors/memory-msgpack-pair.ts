/**
 * The in-process floor: two peers exchanging the same two-segment msgpack frames a real RPC
 * sends (call with a session, reply to `<session>.resolve`) through a microtask hop, with no
 * RPC machinery. Nothing any in-memory RPC call does can cost less.
 */
import { decodeMulti, encode } from '@msgpack/msgpack';

function frame(main: Record<string, unknown>, extra: Record<string, unknown>): Uint8Array {
  const a = encode(main);
  const b = encode(extra);
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export interface MemoryPairFloor {
  call(value: unknown): Promise<unknown>;
}

export function memoryMsgpackPair(): MemoryPairFloor {
  const pending = new Map<string, (value: unknown) => void>();
  let next = 0;
  const toCaller = (data: Uint8Array): void => {
    queueMicrotask(() => {
      const [main, extra] = [...decodeMulti(data)] as [Record<string, unknown>, Record<string, unknown>];
      const session = String(main.method).slice(0, -'.resolve'.length);
      const resolve = pending.get(session);
      if (!resolve) throw new Error(`memory floor: reply for unknown session ${session}`);
      pending.delete(session);
      resolve((extra.args as unknown[])[0]);
    });
  };
  const toCallee = (data: Uint8Array): void => {
    queueMicrotask(() => {
      const [main, extra] = [...decodeMulti(data)] as [Record<string, unknown>, Record<string, unknown>];
      const result = (extra.args as unknown[])[0];
      toCaller(frame({ type: 'method', from: 'ws/b', to: main.from, method: `${String(main.session)}.resolve` }, { args: [result] }));
    });
  };
  return {
    call(value) {
      const session = `s${next++}`;
      return new Promise((resolve) => {
        pending.set(session, resolve);
        toCallee(frame({ type: 'method', from: 'ws/a', to: 'ws/b', method: 'services.echo.echo', session }, { args: [value], with_kwargs: false }));
      });
    },
  };
}
