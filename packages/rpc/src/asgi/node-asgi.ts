/**
 * Serves a Node `(req, res)` request handler — an express or Koa app, `http.createServer`'s
 * listener — as an `asgi` Hypha service, without listening on a port: each ASGI call is one
 * HTTP/1.1 exchange between Node's own HTTP client and an unbound `http.Server` over an
 * in-memory socket pair, so the handler gets genuine `IncomingMessage`/`ServerResponse`
 * objects. Both bodies stream with backpressure. Node only (import from `@hypha/rpc/node`).
 */
import { Server, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { asgiBytes, asgiText, assertHttpScope, scopeHeaders } from './asgi-bytes.js';
import type { AsgiCall, AsgiHttpScope, AsgiReceive, AsgiSend, AsgiServe } from './asgi-types.js';
import { socketPair } from './socket-pair.js';

export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Connection-level headers that belong to one hop, not to the message. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

function requestHeaders(scope: AsgiHttpScope): OutgoingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of scopeHeaders(scope.headers)) {
    if (HOP_BY_HOP.has(name)) continue;
    const prev = headers[name];
    if (prev === undefined) headers[name] = value;
    else headers[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  headers.connection = 'close';
  return headers;
}

function requestPath(scope: AsgiHttpScope): string {
  const path = scope.path.split('/').map(encodeURIComponent).join('/');
  const query = asgiText(scope.query_string, 'query string');
  return `${path}${query ? `?${query}` : ''}`;
}

function address(value: unknown, fallback: string): { address: string; port: number } {
  if (Array.isArray(value) && typeof value[0] === 'string') return { address: value[0], port: Number(value[1]) || 0 };
  return { address: fallback, port: 0 };
}

function responseHeaders(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name)) out.push([name, raw[i + 1]!]);
  }
  return out;
}

/** Writes the ASGI request body into the outgoing request, waiting for drain between chunks. */
async function pumpBody(receive: AsgiReceive, req: ReturnType<typeof httpRequest>, answered: () => boolean): Promise<void> {
  for (;;) {
    // An app may answer before reading the whole body (e.g. 413): stop pulling then.
    if (answered() || req.destroyed) return;
    const message = await receive();
    if (!message || typeof message !== 'object') throw new TypeError('Invalid ASGI message from receive(): expected an object');
    if (message.type === 'http.disconnect') throw new Error('The HTTP client disconnected before sending the whole request body');
    if (message.type !== 'http.request') throw new TypeError(`Unexpected ASGI message from receive(): ${String(message.type)}`);
    const chunk = asgiBytes(message.body, 'request body');
    if (chunk.byteLength && !req.write(chunk)) {
      const open = await new Promise<boolean>((resolve) => {
        const done = (drained: boolean) => {
          req.off('drain', onDrain);
          req.off('close', onClose);
          resolve(drained);
        };
        const onDrain = () => done(true);
        const onClose = () => done(false);
        req.on('drain', onDrain);
        req.on('close', onClose);
      });
      // The app closed the connection (it answered early, or failed): the response side
      // reports what became of the exchange.
      if (!open) return;
    }
    if (!message.more_body) {
      req.end();
      return;
    }
  }
}

async function relayResponse(res: IncomingMessage, send: AsgiSend): Promise<void> {
  await send({ type: 'http.response.start', status: res.statusCode ?? 500, headers: responseHeaders(res.rawHeaders) });
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (chunk.byteLength) {
      await send({ type: 'http.response.body', body: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), more_body: true });
    }
  }
  await send({ type: 'http.response.body', body: new Uint8Array(0), more_body: false });
}

/**
 * An `asgi` service's `serve` for a Node handler:
 * `registerService({id: 'web', type: 'asgi', serve: nodeToAsgi(expressApp)})`.
 */
export function nodeToAsgi(handler: NodeRequestHandler): AsgiServe {
  if (typeof handler !== 'function') throw new TypeError('nodeToAsgi: handler must be a function (req, res) => void');
  const server = new Server((req, res) => {
    handler(req, res);
  });
  return async ({ scope, receive, send }: AsgiCall): Promise<void> => {
    assertHttpScope(scope);
    const [serverSide, clientSide] = socketPair(address(scope.client, '127.0.0.1'), address(scope.server, '127.0.0.1'));
    server.emit('connection', serverSide);
    let answered = false;
    try {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({
          method: scope.method.toUpperCase(),
          path: requestPath(scope),
          headers: requestHeaders(scope),
          createConnection: () => clientSide as unknown as import('node:net').Socket,
        });
        req.on('error', reject);
        req.on('response', (res) => {
          relayResponse(res, send).then(() => {
            answered = true;
            resolve();
          }, (err: unknown) => {
            res.destroy();
            reject(err);
          });
        });
        pumpBody(receive, req, () => answered).catch((err: unknown) => {
          if (answered) return; // the exchange is over; the rest of the body is not needed
          req.destroy(err instanceof Error ? err : new Error(String(err)));
          reject(err);
        });
      });
    } finally {
      destroyPair(serverSide, clientSide);
    }
  };
}

function destroyPair(a: Duplex, b: Duplex): void {
  a.destroy();
  b.destroy();
}


