/**
 * Serving an `asgi` service under `/{ws}/apps/{id}/{path}` (server-api §3.3): the service's
 * `serve({scope, receive, send})` gets an ASGI HTTP scope and two callbacks (passed by RPC):
 * `receive()` yields the request body chunk by chunk (`http.request` with `more_body`), `send()`
 * takes `http.response.start` / `http.response.body`. Both directions stream with backpressure.
 */
import type { Request, Response } from 'express';
import { HttpError } from './http-errors.js';

const te = new TextEncoder();
const td = new TextDecoder();

type Msg = Record<string, unknown>;

function bytes(v: unknown): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return te.encode(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new HttpError(502, `Invalid ASGI message: body must be bytes, got ${typeof v}`);
}

const text = (v: unknown): string => (typeof v === 'string' ? v : td.decode(bytes(v)));

export function asgiScope(req: Request, segments: string[], rootPath: string, extra: Record<string, unknown>): Msg {
  const url = new URL(req.originalUrl, 'http://localhost');
  const headers: Array<[Uint8Array, Uint8Array]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.push([te.encode(req.rawHeaders[i]!.toLowerCase()), te.encode(req.rawHeaders[i + 1]!)]);
  }
  const path = `/${segments.join('/')}`;
  return {
    type: 'http',
    asgi: { version: '3.0', spec_version: '2.3' },
    http_version: req.httpVersion,
    method: req.method,
    scheme: 'http',
    path,
    raw_path: te.encode(path),
    query_string: te.encode(url.search.slice(1)),
    root_path: rootPath,
    headers,
    client: [req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0],
    server: [req.socket.localAddress ?? '', req.socket.localPort ?? 0],
    ...extra,
  };
}

/** The `receive` and `send` callables for one request, plus a way to finish the response. */
export function asgiChannel(req: Request, res: Response) {
  // The raw body, as the reference's ASGI middleware passes it (Content-Encoding is the app's business).
  const body = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let bodyDone = false;
  let started = false;
  let complete = false;
  const disconnected = new Promise<void>((resolve) => res.once('close', () => resolve()));

  const receive = async (): Promise<Msg> => {
    if (bodyDone) {
      await disconnected;
      return { type: 'http.disconnect' };
    }
    const next = await body.next();
    if (next.done) {
      bodyDone = true;
      return { type: 'http.request', body: new Uint8Array(0), more_body: false };
    }
    const chunk = next.value;
    return { type: 'http.request', body: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), more_body: true };
  };

  const send = async (message: Msg): Promise<void> => {
    if (!message || typeof message !== 'object') throw new HttpError(502, 'Invalid ASGI message: expected an object');
    if (message.type === 'http.response.start') {
      if (started) throw new HttpError(502, 'Invalid ASGI message: http.response.start sent twice');
      started = true;
      const status = Number(message.status ?? 200);
      const headers = Array.isArray(message.headers) ? (message.headers as unknown[]) : [];
      for (const pair of headers) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new HttpError(502, 'Invalid ASGI message: headers must be [name, value] pairs');
        res.appendHeader(text(pair[0]), text(pair[1]));
      }
      res.status(status);
      return;
    }
    if (message.type === 'http.response.body') {
      if (!started) throw new HttpError(502, 'Invalid ASGI message: http.response.body before http.response.start');
      const chunk = bytes(message.body);
      if (chunk.byteLength && !res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      if (!message.more_body) {
        res.end();
        complete = true;
      }
      return;
    }
    throw new HttpError(502, `Invalid ASGI message type: ${String(message.type)}`);
  };

  return {
    receive,
    send,
    /** Whether the final body message was sent (the HTTP exchange is over). */
    get complete() {
      return complete;
    },
    get started() {
      return started;
    },
  };
}
