/**
 * The ASGI HTTP shapes a Hypha `asgi` service speaks (server-api §3.3): the server calls the
 * service's `serve({scope, receive, send})`; `receive()` yields the request body in
 * `http.request` messages and `send()` takes `http.response.start` / `http.response.body`.
 * Byte values arrive as `Uint8Array` (msgpack bin) but may be strings from other peers.
 */

/** A header name or value, or a body chunk, as it may arrive over RPC. */
export type AsgiBytes = Uint8Array | ArrayBuffer | string;

export interface AsgiHttpScope {
  type: string;
  method: string;
  path: string;
  query_string?: AsgiBytes;
  root_path?: string;
  scheme?: string;
  http_version?: string;
  headers?: Array<[AsgiBytes, AsgiBytes]>;
  client?: [string, number] | null;
  server?: [string, number] | null;
  [key: string]: unknown;
}

export interface AsgiRequestMessage {
  type: 'http.request' | 'http.disconnect' | string;
  body?: AsgiBytes | null;
  more_body?: boolean;
}

export interface AsgiResponseStart {
  type: 'http.response.start';
  status: number;
  headers: Array<[string, string]>;
}

export interface AsgiResponseBody {
  type: 'http.response.body';
  body: Uint8Array;
  more_body: boolean;
}

export type AsgiReceive = () => Promise<AsgiRequestMessage>;
export type AsgiSend = (message: AsgiResponseStart | AsgiResponseBody) => Promise<unknown> | unknown;

/** The single argument of `serve`. */
export interface AsgiCall {
  scope: AsgiHttpScope;
  receive: AsgiReceive;
  send: AsgiSend;
}

/** An `asgi` service's `serve` function. */
export type AsgiServe = (call: AsgiCall) => Promise<void>;
