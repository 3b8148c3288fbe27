/**
 * Serves a fetch-style handler (`(request: Request) => Response`, e.g. a Hono app's `fetch`) as
 * an `asgi` Hypha service, without a port of its own: each `serve({scope, receive, send})` call
 * becomes one `Request` whose body streams from `receive()`, and the `Response` body streams
 * back through `send()` chunk by chunk (each `send` is awaited, so a slow HTTP client slows the
 * handler down instead of filling memory). No Node built-ins: runs in browsers too.
 */
import { asgiBytes, asgiText, assertHttpScope, scopeHeaders } from './asgi-bytes.js';
import type { AsgiCall, AsgiHttpScope, AsgiReceive, AsgiSend, AsgiServe } from './asgi-types.js';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface FetchAsgiOptions {
  /**
   * Origin used for `request.url` when the scope has no `host` header
   * (default `http://localhost`). The path is the app-relative `scope.path`.
   */
  origin?: string;
}

/** Whether `Request` accepts a `ReadableStream` body (Node, Chromium) or would stringify it. */
let streamingRequests: boolean | undefined;
function supportsRequestStreams(): boolean {
  if (streamingRequests === undefined) {
    let duplexRead = false;
    const probe = new Request('http://localhost/', {
      method: 'POST',
      body: new ReadableStream(),
      get duplex() {
        duplexRead = true;
        return 'half';
      },
    } as RequestInit);
    streamingRequests = duplexRead && !probe.headers.has('content-type');
  }
  return streamingRequests;
}

function requestUrl(scope: AsgiHttpScope, headers: Array<[string, string]>, origin: string): string {
  const host = headers.find(([name]) => name === 'host')?.[1];
  const base = host ? `${scope.scheme === 'https' ? 'https' : 'http'}://${host}` : origin.replace(/\/$/, '');
  const query = asgiText(scope.query_string, 'query string');
  return `${base}${scope.path}${query ? `?${query}` : ''}`;
}

/** The request body as a stream pulled from `receive()` one message per read. */
export function asgiBodyStream(receive: AsgiReceive): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (done) return;
          const message = await receive();
          if (!message || typeof message !== 'object') throw new TypeError('Invalid ASGI message from receive(): expected an object');
          if (message.type === 'http.disconnect') {
            done = true;
            controller.error(new Error('The HTTP client disconnected before sending the whole request body'));
            return;
          }
          if (message.type !== 'http.request') throw new TypeError(`Unexpected ASGI message from receive(): ${String(message.type)}`);
          const chunk = asgiBytes(message.body, 'request body');
          if (!message.more_body) {
            done = true;
            if (chunk.byteLength) controller.enqueue(chunk);
            controller.close();
            return;
          }
          if (chunk.byteLength) {
            controller.enqueue(chunk);
            return;
          }
        }
      },
    },
    { highWaterMark: 0 },
  );
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Builds the `Request` for an ASGI HTTP scope. */
export async function asgiRequest(scope: AsgiHttpScope, receive: AsgiReceive, options: FetchAsgiOptions = {}): Promise<Request> {
  assertHttpScope(scope);
  const pairs = scopeHeaders(scope.headers);
  const headers = new Headers();
  for (const [name, value] of pairs) headers.append(name, value);
  const method = scope.method.toUpperCase();
  const url = requestUrl(scope, pairs, options.origin ?? 'http://localhost');
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  const body = asgiBodyStream(receive);
  if (supportsRequestStreams()) {
    return new Request(url, { method, headers, body, duplex: 'half' } as RequestInit);
  }
  // Browsers without streaming uploads (Firefox, Safari) get the body whole.
  return new Request(url, { method, headers, body: await readAll(body) });
}

/** Sends a `Response` through ASGI `send`, streaming its body with backpressure. */
export async function sendAsgiResponse(response: Response, send: AsgiSend): Promise<void> {
  if (!(response instanceof Response)) {
    throw new TypeError(`The fetch handler returned ${response === null ? 'null' : typeof response}, expected a Response`);
  }
  if (response.type === 'error' || response.status === 0) throw new Error('The fetch handler returned a network error response');
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value]);
  });
  const cookies = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
  for (const cookie of cookies) headers.push(['set-cookie', cookie]);
  await send({ type: 'http.response.start', status: response.status, headers });
  if (!response.body) {
    await send({ type: 'http.response.body', body: new Uint8Array(0), more_body: false });
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.byteLength) await send({ type: 'http.response.body', body: value, more_body: true });
    }
  } catch (err) {
    await reader.cancel(err).catch(() => undefined);
    throw err;
  }
  await send({ type: 'http.response.body', body: new Uint8Array(0), more_body: false });
}

/**
 * An `asgi` service's `serve` for a fetch handler:
 * `registerService({id: 'web', type: 'asgi', serve: fetchToAsgi(app.fetch)})`.
 */
export function fetchToAsgi(handler: FetchHandler, options: FetchAsgiOptions = {}): AsgiServe {
  if (typeof handler !== 'function') throw new TypeError('fetchToAsgi: handler must be a function (request: Request) => Response');
  return async ({ scope, receive, send }: AsgiCall): Promise<void> => {
    const request = await asgiRequest(scope, receive, options);
    const response = await handler(request);
    await sendAsgiResponse(response, send);
  };
}
