import { encode } from '@msgpack/msgpack';
import type { ConnectionInfo, RPCConnection } from '../connection.js';
import { ConnectionAbortedError } from '../websocket/connection-errors.js';
import { errorText, resolveLogger, type Logger } from '../websocket/logger.js';
import { LossWatch } from '../websocket/loss-watch.js';
import { reconnectDelay } from '../websocket/reconnect-backoff.js';
import { runReconnectLoop } from '../transport/reconnect-loop.js';
import { refreshIntervalFor } from '../transport/refresh-interval.js';
import { TimerSet } from '../websocket/timer-set.js';
import { asControlMessage, FrameStreamParser } from './frame-stream.js';
import type { HttpConnectionOptions, HttpReconnectOptions } from './http-connection-options.js';
import { workspaceFromToken } from './token-workspace.js';

export type { HttpConnectionOptions, HttpReconnectOptions };
export { workspaceFromToken };

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
  /** Streams that ended: a reconnection attempt waiting on one of them gives up. */
  readonly #loss = new LossWatch<AbortController>();
  #reconnecting = false;
  readonly #timers = new TimerSet();
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
    const { stream, info } = await this.#connectStream();
    await this.#runConnectedHandler(stream, info);
    return info;
  }

  /** Stream + `connection_info`, adopted (without running `on_connected`). */
  async #connectStream(): Promise<{ stream: AbortController; info: ConnectionInfo }> {
    if (this._closed) throw new Error('Connection is closed');
    const { stream, info } = await this.#openStream();
    try {
      this.#adopt(info);
    } catch (error) {
      this.#dropStream(stream);
      throw error;
    }
    return { stream, info };
  }

  /** Runs `on_connected`; if it fails, the stream is dropped so a retry starts clean. */
  async #runConnectedHandler(stream: AbortController, info: ConnectionInfo): Promise<void> {
    if (!this.#onConnected) return;
    try {
      await this.#onConnected(info);
    } catch (error) {
      this.#dropStream(stream);
      throw error;
    }
  }

  /** Abort `stream` without triggering reconnection. */
  #dropStream(stream: AbortController): void {
    if (this.#stream === stream) {
      this.#stream = null;
      this.#timers.clear();
    }
    stream.abort();
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
    this.#timers.clear();
    this.#timers.wake();
    if (this.#stream) this.#loss.markLost(this.#stream);
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
  async #openStream(): Promise<{ stream: AbortController; info: ConnectionInfo }> {
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
      const info = await new Promise<ConnectionInfo>((resolve, reject) => {
        let gotInfo = false;
        void this.#pump(response.body!.getReader(), controller, (info) => {
          gotInfo = true;
          resolve(info);
        }).then((endReason) => {
          if (!gotInfo) reject(new Error(`Stream ended before connection_info: ${endReason}`));
          else this.#streamEnded(controller, endReason);
        });
      });
      return { stream: controller, info };
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
    this.#refreshInterval = refreshIntervalFor(this.#refreshInterval, info.reconnection_token_life_time);
    this._enable_reconnect = true;
    this.#startRefresh();
  }

  #streamEnded(controller: AbortController, reason: string): void {
    if (controller !== this.#stream || this._closed) return;
    this.#loss.markLost(controller);
    this.#timers.clear();
    this.#logger.warn('Stream lost, reconnecting', { reason });
    this.#onDisconnected?.(`Stream ended: ${reason}`);
    if (!this.#reconnecting) void this.#reconnectLoop();
  }

  async #reconnectLoop(): Promise<void> {
    this.#reconnecting = true;
    try {
      await runReconnectLoop({
        maxAttempts: this.#reconnect.max_attempts,
        delayBefore: (retry) => reconnectDelay(retry, this.#reconnect, Math.random()),
        sleep: (ms) => this.#timers.sleep(ms),
        isClosed: () => this._closed,
        attempt: () => this.#reconnectOnce(),
        giveUp: (reason) => this.#giveUp(reason),
        reconnected: (attempts) => this.#logger.info('Stream reconnected', { attempts }),
        attemptFailed: (attempt, error) =>
          this.#logger.warn('Stream reconnection attempt failed', { attempt, error: errorText(error) }),
      });
    } finally {
      this.#reconnecting = false;
    }
  }

  /** One reconnection: `true` once it held, `false` if closed meanwhile; throws if it failed. */
  async #reconnectOnce(): Promise<boolean> {
    this._services_registered_ok = undefined;
    const { stream, info } = await this.#connectStream();
    // A stream lost while the handler re-registers services fails this attempt at once:
    // replies to the handler's calls went to that stream.
    await this.#loss.unlessLost(
      stream,
      this.#runConnectedHandler(stream, info),
      () => new Error('Stream lost while re-registering services'),
      (error) => this.#logger.warn('on_connected handler of a lost stream failed', { error: errorText(error) }),
    );
    if (this._closed) return false;
    if (this._services_registered_ok === false) {
      this.#dropStream(stream);
      throw new Error('Service re-registration failed after reconnection');
    }
    return true;
  }

  #giveUp(reason: string): void {
    this.#logger.error('Giving up reconnecting', { reason });
    this._closed = true;
    this.#timers.clear();
    this.#stream?.abort();
    this.#stream = null;
    this.#onDisconnected?.(reason);
  }

  #startRefresh(): void {
    this.#timers.clear();
    if (this.#refreshInterval <= 0) return;
    this.#timers.timeout(() => {
      void this.#sendRefresh();
      this.#timers.interval(() => void this.#sendRefresh(), this.#refreshInterval * 1000);
    }, this.#refreshDelay * 1000);
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
}
