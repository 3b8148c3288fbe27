import { encode } from '@msgpack/msgpack';
import type { ConnectionInfo, RPCConnection } from '../connection.js';
import { ConnectionAbortedError, isConnectionAbortedError } from '../websocket/connection-errors.js';
import { errorText, resolveLogger, type Logger } from '../websocket/logger.js';
import { reconnectDelay, type BackoffOptions } from '../websocket/reconnect-backoff.js';
import { asControlMessage, FrameStreamParser } from './frame-stream.js';

/** Reconnection tuning of the HTTP stream; defaults give hypha-rpc's 2, 4, ... 60 s (spec §10.4). */
export interface HttpReconnectOptions extends BackoffOptions {
  max_attempts: number;
}

/** Options of {@link HTTPStreamingRPCConnection}; snake_case like hypha-rpc's config keys. */
export interface HttpConnectionOptions {
  /** Base URL, e.g. `http://127.0.0.1:9527` (see `normalizeServerUrlHTTP`). */
  server_url: string;
  client_id: string;
  /** Default: the `wid:` scope of `token`, else assigned by the server. */
  workspace?: string | null;
  token?: string | null;
  reconnection_token?: string | null;
  /** Seconds to wait for `connection_info`. Default 60. */
  timeout?: number;
  /** Seconds between `refresh_token` requests; 0 disables. Default 7200. */
  token_refresh_interval?: number;
  /** Seconds before the first `refresh_token` request. Default 2. */
  token_refresh_delay?: number;
  /** Seconds without any stream data after which the stream counts as dead. Default 120. */
  read_timeout?: number;
  reconnect?: Partial<HttpReconnectOptions>;
  /** Attempts per POST (network errors and HTTP 400 are retried). Default 3. */
  post_attempts?: number;
  /** Delay unit between POST attempts (`unit · attempt`). Default 500 ms. */
  post_retry_delay_ms?: number;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  logger?: Logger | null;
}

/**
 * An {@link RPCConnection} over HTTP (spec §10): one long `GET /rpc` streams length-prefixed
 * frames to the client, each outgoing frame is a `POST /rpc`. The stream is reopened with the
 * reconnection token when it ends, and the `on_connected` handler runs again so the RPC
 * re-registers its services. Works with the platform `fetch` (browsers, Node 18+).
 *
 * @example
 * const conn = new HTTPStreamingRPCConnection({ server_url: 'http://127.0.0.1:9527', client_id: 'c1' });
 * const info = await conn.open();
 */
export class HTTPStreamingRPCConnection implements RPCConnection {
  connection_info: ConnectionInfo | null = null;
  manager_id: string | null = null;
  _closed = false;
  _enable_reconnect = false;
  _services_registered_ok?: boolean;

  readonly #base: string;
  readonly #clientId: string;
  #workspace: string | null;
  readonly #token: string | null;
  #reconnectionToken: string | null;
  readonly #timeout: number;
  #refreshInterval: number;
  readonly #refreshDelay: number;
  readonly #readTimeout: number;
  readonly #reconnect: HttpReconnectOptions;
  readonly #postAttempts: number;
  readonly #postDelay: number;
  readonly #fetch: typeof fetch;
  readonly #logger: Logger;

  #stream: AbortController | null = null;
  #reconnecting = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #intervals = new Set<ReturnType<typeof setInterval>>();
  #wakeSleep: (() => void) | null = null;
  #onMessage: ((data: Uint8Array) => void) | null = null;
  #onConnected: ((info: ConnectionInfo) => void | Promise<void>) | null = null;
  #onDisconnected: ((reason?: string) => void) | null = null;

  constructor(options: HttpConnectionOptions) {
    if (!options.server_url) throw new Error('server_url is required');
    if (!options.client_id) throw new Error('client_id is required');
    const fetchImpl = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (typeof fetchImpl !== 'function') throw new Error('No fetch implementation: pass options.fetch');
    this.#base = options.server_url.replace(/\/$/, '');
    this.#clientId = options.client_id;
    this.#token = options.token ?? null;
    this.#workspace = options.workspace || workspaceFromToken(this.#token);
    this.#reconnectionToken = options.reconnection_token ?? null;
    this.#timeout = options.timeout ?? 60;
    this.#refreshInterval = options.token_refresh_interval ?? 2 * 60 * 60;
    this.#refreshDelay = options.token_refresh_delay ?? 2;
    this.#readTimeout = options.read_timeout ?? 120;
    this.#reconnect = { base_delay_ms: 2000, max_delay_ms: 60_000, jitter: 0, max_attempts: 1_000_000, ...options.reconnect };
    this.#postAttempts = options.post_attempts ?? 3;
    this.#postDelay = options.post_retry_delay_ms ?? 500;
    this.#fetch = fetchImpl.bind(globalThis);
    this.#logger = resolveLogger(options.logger);
  }

  get reconnection_token(): string | null {
    return this.#reconnectionToken;
  }

  on_message(handler: (data: Uint8Array) => void): void {
    this.#onMessage = handler;
  }

  on_connected(handler: (info: ConnectionInfo) => void | Promise<void>): void {
    this.#onConnected = handler;
  }

  on_disconnected(handler: (reason?: string) => void): void {
    this.#onDisconnected = handler;
  }

  /** Open the stream, wait for `connection_info`, then await the `on_connected` handler. */
  async open(): Promise<ConnectionInfo> {
    if (this._closed) throw new Error('Connection is closed');
    return this.#establish();
  }

  /** Stream + `connection_info` + `on_connected`; a failure leaves no stream behind. */
  async #establish(): Promise<ConnectionInfo> {
    const info = await this.#openStream();
    const stream = this.#stream;
    try {
      this.#adopt(info);
      if (this.#onConnected) await this.#onConnected(info);
    } catch (error) {
      if (this.#stream === stream) {
        this.#stream = null;
        this.#stopTimers();
      }
      stream?.abort();
      throw error;
    }
    return info;
  }

  async emit_message(data: Uint8Array): Promise<void> {
    if (this._closed) throw new Error('Connection is closed');
    if (!this.#workspace) throw new Error('Workspace not set - connection not established');
    const url = this.#url({ workspace: this.#workspace });
    for (let attempt = 1; ; attempt++) {
      let failure: Error;
      let retryable: boolean;
      try {
        const response = await this.#fetch(url, { method: 'POST', headers: this.#headers(false), body: data as BodyInit });
        if (response.ok) return;
        failure = new Error(`POST failed with status ${response.status}: ${await response.text()}`);
        // 400: a load balancer sent the POST to a replica without our stream (spec §10.3).
        retryable = response.status === 400;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        retryable = true; // network error
      }
      if (!retryable || attempt >= this.#postAttempts || this._closed) throw failure;
      this.#logger.warn('POST failed, retrying', { attempt, error: failure.message });
      await new Promise((resolve) => setTimeout(resolve, this.#postDelay * attempt));
    }
  }

  /** Stop for good: abort the stream, no reconnection; `on_disconnected(reason)` fires. */
  async disconnect(reason = 'Disconnected by client'): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    this.#stopTimers();
    this.#wakeSleep?.();
    this.#stream?.abort();
    this.#stream = null;
    this.#onDisconnected?.(reason);
  }

  #url(params: Record<string, string | null | undefined>): string {
    const query = new URLSearchParams({ client_id: this.#clientId });
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
    return `${this.#base}/rpc?${query.toString()}`;
  }

  #headers(stream: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/msgpack' };
    if (stream) headers.Accept = 'application/x-msgpack-stream';
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    return headers;
  }

  /**
   * GET the stream and resolve with its `connection_info`; the stream keeps being read in the
   * background. HTTP 401/403 reject with {@link ConnectionAbortedError} (retrying cannot help).
   */
  async #openStream(): Promise<ConnectionInfo> {
    const controller = new AbortController();
    this.#stream?.abort();
    this.#stream = controller;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeout * 1000);
    try {
      const url = this.#url({ workspace: this.#workspace, reconnection_token: this.#reconnectionToken });
      const response = await this.#fetch(url, { method: 'GET', headers: this.#headers(true), signal: controller.signal });
      if (!response.ok || !response.body) {
        const detail = await response.text();
        const message = `Stream failed with status ${response.status}: ${detail}`;
        if (response.status === 401 || response.status === 403) throw new ConnectionAbortedError(message);
        throw new Error(message);
      }
      return await new Promise<ConnectionInfo>((resolve, reject) => {
        let gotInfo = false;
        void this.#pump(response.body!.getReader(), controller, (info) => {
          gotInfo = true;
          resolve(info);
        }).then((endReason) => {
          if (!gotInfo) reject(new Error(`Stream ended before connection_info: ${endReason}`));
          else this.#streamEnded(controller, endReason);
        });
      });
    } catch (error) {
      controller.abort();
      if (timedOut) throw new Error(`Timeout waiting for connection info (${this.#timeout}s)`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Read frames until the stream ends; resolves with why it ended. */
  async #pump(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    controller: AbortController,
    onInfo: (info: ConnectionInfo) => void,
  ): Promise<string> {
    const parser = new FrameStreamParser();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      let idle: ReturnType<typeof setTimeout> | undefined;
      try {
        chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => {
            idle = setTimeout(() => reject(new Error(`no data for ${this.#readTimeout}s`)), this.#readTimeout * 1000);
          }),
        ]);
      } catch (error) {
        controller.abort();
        return errorText(error);
      } finally {
        clearTimeout(idle);
      }
      if (chunk.done) return 'stream closed by the server';
      for (const frame of parser.push(chunk.value)) {
        const control = asControlMessage(frame);
        if (!control) {
          this.#deliver(frame);
        } else if (control.type === 'connection_info') {
          onInfo(control as unknown as ConnectionInfo);
        } else if (control.type === 'reconnection_token' && typeof control.reconnection_token === 'string') {
          this.#reconnectionToken = control.reconnection_token;
        } else if (control.type === 'error') {
          this.#logger.warn('Server error message', { message: control.message });
        }
      }
    }
  }

  #deliver(frame: Uint8Array): void {
    if (!this.#onMessage) {
      this.#logger.error('RPC frame received but no message handler is registered', { bytes: frame.byteLength });
      return;
    }
    this.#onMessage(frame);
  }

  #adopt(info: ConnectionInfo): void {
    if (!info.manager_id) throw new ConnectionAbortedError('Failed to get manager ID from server');
    if (this.#workspace && info.workspace && info.workspace !== this.#workspace) {
      throw new ConnectionAbortedError(`Connected to the wrong workspace: ${info.workspace}, expected: ${this.#workspace}`);
    }
    this.connection_info = info;
    this.manager_id = info.manager_id;
    this.#workspace = info.workspace ?? this.#workspace;
    if (info.reconnection_token) this.#reconnectionToken = info.reconnection_token;
    const lifeTime = info.reconnection_token_life_time;
    if (typeof lifeTime === 'number' && lifeTime > 0 && this.#refreshInterval > lifeTime / 1.5) {
      this.#refreshInterval = lifeTime / 1.5;
    }
    this._enable_reconnect = true;
    this.#startRefresh();
  }

  #streamEnded(controller: AbortController, reason: string): void {
    if (controller !== this.#stream || this._closed) return;
    this.#stopTimers();
    this.#logger.warn('Stream lost, reconnecting', { reason });
    this.#onDisconnected?.(`Stream ended: ${reason}`);
    if (!this.#reconnecting) void this.#reconnectLoop();
  }

  async #reconnectLoop(): Promise<void> {
    this.#reconnecting = true;
    try {
      for (let retry = 0; ; retry++) {
        await this.#sleep(reconnectDelay(retry, this.#reconnect, Math.random()));
        if (this._closed) return;
        try {
          await this.#establish();
          this.#logger.info('Stream reconnected', { attempts: retry + 1 });
          return;
        } catch (error) {
          if (this._closed) return;
          if (isConnectionAbortedError(error)) return this.#giveUp(`Server refused reconnection: ${errorText(error)}`);
          if (retry + 1 >= this.#reconnect.max_attempts) {
            return this.#giveUp(`Reconnection failed after ${retry + 1} attempts: ${errorText(error)}`);
          }
          this.#logger.warn('Stream reconnection attempt failed', { attempt: retry + 1, error: errorText(error) });
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }

  #giveUp(reason: string): void {
    this.#logger.error('Giving up reconnecting', { reason });
    this._closed = true;
    this.#stopTimers();
    this.#stream?.abort();
    this.#stream = null;
    this.#onDisconnected?.(reason);
  }

  #startRefresh(): void {
    this.#stopTimers();
    if (this.#refreshInterval <= 0) return;
    const first = setTimeout(() => {
      this.#timers.delete(first);
      void this.#sendRefresh();
      this.#intervals.add(setInterval(() => void this.#sendRefresh(), this.#refreshInterval * 1000));
    }, this.#refreshDelay * 1000);
    this.#timers.add(first);
  }

  async #sendRefresh(): Promise<void> {
    if (this._closed) return;
    try {
      await this.emit_message(encode({ type: 'refresh_token' }));
    } catch (error) {
      // The stream's next reconnection carries the current token; a failed refresh only ages it.
      this.#logger.warn('Token refresh request failed', { error: errorText(error) });
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#wakeSleep = null;
        resolve();
      }, ms);
      this.#timers.add(timer);
      this.#wakeSleep = () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        this.#wakeSleep = null;
        resolve();
      };
    });
  }

  #stopTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const interval of this.#intervals) clearInterval(interval);
    this.#timers.clear();
    this.#intervals.clear();
  }
}

/** The `wid:<workspace>` scope of a JWT, read without verification (spec §2.3). */
export function workspaceFromToken(token: string | null | undefined): string | null {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  let payload: { scope?: unknown };
  try {
    const base64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    payload = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
  } catch {
    // Not a JWT we can read (e.g. a root token): the server resolves the workspace.
    return null;
  }
  const match = typeof payload.scope === 'string' ? /(?:^|\s)wid:(\S+)/.exec(payload.scope) : null;
  return match ? match[1]! : null;
}
