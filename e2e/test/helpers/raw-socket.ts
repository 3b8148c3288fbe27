/** A raw WebSocket to `/ws` for protocol-level tests: records text and binary frames and the close. */
import { WebSocket } from 'ws';

export interface RawSession {
  ws: WebSocket;
  texts: Array<Record<string, any>>;
  binaries: Uint8Array[];
  /** The first text frame (connection_info or error). */
  first: Promise<Record<string, any>>;
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  nextBinary(timeoutMs?: number): Promise<Uint8Array>;
}

/** Open `/ws` and send `hello` (a string is sent as is, an object as JSON, null sends nothing). */
export function rawSession(wsUrl: string, hello: string | Record<string, unknown> | null): RawSession {
  const ws = new WebSocket(wsUrl);
  const texts: Array<Record<string, any>> = [];
  const binaries: Uint8Array[] = [];
  const waiters: Array<(b: Uint8Array) => void> = [];
  let firstResolve!: (m: Record<string, any>) => void;
  const first = new Promise<Record<string, any>>((r) => (firstResolve = r));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const frame = new Uint8Array(data as Buffer);
      const w = waiters.shift();
      if (w) w(frame);
      else binaries.push(frame);
    } else {
      const msg = JSON.parse(data.toString()) as Record<string, any>;
      texts.push(msg);
      if (texts.length === 1) firstResolve(msg);
    }
  });
  ws.on('open', () => {
    if (hello !== null) ws.send(typeof hello === 'string' ? hello : JSON.stringify(hello));
  });
  return {
    ws,
    texts,
    binaries,
    first,
    closed,
    opened,
    nextBinary(timeoutMs = 5000) {
      const queued = binaries.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<Uint8Array>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no binary frame within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((b) => {
          clearTimeout(t);
          resolve(b);
        });
      });
    },
  };
}
