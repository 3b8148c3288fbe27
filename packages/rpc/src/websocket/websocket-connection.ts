import type { ConnectionInfo, RPCConnection } from '../connection.js';
import { openSocket, performHandshake } from './handshake.js';
import type { ReconnectOptions, WebsocketConnectionOptions } from './connection-options.js';
import { errorText, resolveLogger, type Logger } from './logger.js';
import { DEFAULT_BACKOFF, reconnectDelay } from './reconnect-backoff.js';
import { LossWatch } from './loss-watch.js';
import { dropSocket, toUint8Array, truncateReason } from './socket-helpers.js';
import { TimerSet } from './timer-set.js';
import { runReconnectLoop } from '../transport/reconnect-loop.js';
import { refreshIntervalFor } from '../transport/refresh-interval.js';
import {
  resolveWebSocketClass,
  WS_CLOSING,
  WS_OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket-like.js';

export type { ReconnectOptions, WebsocketConnectionOptions };

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * An {@link RPCConnection} over one WebSocket to a Hypha server, kept alive across drops.
 *
 * `open()` performs the handshake (spec §2.2–2.4). Afterwards it pings the server, refreshes
 * its reconnection token, and when the socket closes without `disconnect()` it reconnects with
 * the reconnection token and exponential backoff, calling the `on_connected` handler again so
 * the RPC re-registers its services (spec §9.2). An attempt counts only if its socket survives
 * the handler and the settle period and the RPC reported `_services_registered_ok !== false`;
 * otherwise (even when the socket drops while the handler still runs) the next attempt follows
 * after the backoff. If reconnection gives up, `_closed` becomes true before `on_disconnected`
 * fires, which tells the RPC to reject its pending calls.
 *
 * @example
 * const conn = new WebsocketRPCConnection({ server_url: 'ws://127.0.0.1:9527/ws', client_id: 'c1' });
 * const info = await conn.open();
 */
export class WebsocketRPCConnection implements RPCConnection {
  /** The last `connection_info` received. */
  connection_info: ConnectionInfo | null = null;
  manager_id: string | null = null;
  /** True once `disconnect()` ran or reconnection gave up (read by hypha-rpc's RPC too). */
  _closed = false;
  /** True once a handshake succeeded: from then on, drops trigger reconnection. */
  _enable_reconnect = false;
  /** Set by the RPC's on_connected handler: false when re-registering a service failed. */
  _services_registered_ok?: boolean;

  readonly #url: string;
  readonly #clientId: string;
  readonly #workspace: string | null | undefined;
  readonly #token: string | null | undefined;
  #reconnectionToken: string | null;
  readonly #timeout: number;
  readonly #pingInterval: number;
  #refreshInterval: number;
  readonly #refreshDelay: number;
  readonly #reconnect: ReconnectOptions;
  readonly #logger: Logger;
  #WebSocketClass: WebSocketConstructor | null;

  #ws: WebSocketLike | null = null;
  /** Handshake done on #ws and it is usable. */
  #ready = false;
  #connectedAt = 0;
  #reconnecting = false;
  #closedDuringReconnect = false;
  readonly #timers = new TimerSet();
  #readyWaiters: Waiter[] = [];
  #disconnectReason: string | null = null;
  #closeWaiters: Array<() => void> = [];
  /** Sockets that closed: a reconnection attempt waiting on one of them gives up. */
  readonly #loss = new LossWatch<WebSocketLike>();

  #onMessage: ((data: Uint8Array) => void) | null = null;
  #onConnected: ((info: ConnectionInfo) => void | Promise<void>) | null = null;
  #onDisconnected: ((reason?: string) => void) | null = null;

  constructor(options: WebsocketConnectionOptions) {
    if (!options.server_url) throw new Error('server_url is required');
    if (!options.client_id) throw new Error('client_id is required');
    this.#url = options.server_url;
    this.#clientId = options.client_id;
    this.#workspace = options.workspace;
    this.#token = options.token;
    this.#reconnectionToken = options.reconnection_token ?? null;
    this.#timeout = options.timeout ?? 60;
    this.#pingInterval = options.ping_interval ?? 30;
    this.#refreshInterval = options.token_refresh_interval ?? 2 * 60 * 60;
    this.#refreshDelay = options.token_refresh_delay ?? 2;
    this.#reconnect = {
      ...DEFAULT_BACKOFF,
      max_attempts: 1_000_000,
      settle_ms: 500,
      min_stable_ms: 5000,
      ...options.reconnect,
    };
    this.#logger = resolveLogger(options.logger);
    this.#WebSocketClass = options.WebSocketClass ?? null;
  }

  /** The current reconnection token (replaced on every `connection_info` and refresh). */
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

  /**
   * Connect and handshake, then await the `on_connected` handler. Rejects with
   * `ConnectionAbortedError` when the server refuses the client.
   */
  async open(): Promise<ConnectionInfo> {
    const { ws, info } = await this.#connectSocket();
    await this.#runConnectedHandler(ws, info);
    return info;
  }

  /** Open a socket, handshake and adopt it (without running `on_connected`). */
  async #connectSocket(): Promise<{ ws: WebSocketLike; info: ConnectionInfo }> {
    if (this._closed) throw new Error('Connection is closed');
    this.#WebSocketClass ??= await resolveWebSocketClass();
    const ws = await openSocket(this.#WebSocketClass, this.#url);
    let info: ConnectionInfo;
    try {
      info = await performHandshake(
        ws,
        {
          client_id: this.#clientId,
          workspace: this.#workspace,
          token: this.#token,
          reconnection_token: this.#reconnectionToken,
        },
        this.#timeout,
      );
    } catch (error) {
      dropSocket(ws);
      throw error;
    }
    if (this._closed) {
      dropSocket(ws);
      throw new Error('Connection is closed');
    }
    this.#adopt(ws, info);
    return { ws, info };
  }

  async #runConnectedHandler(ws: WebSocketLike, info: ConnectionInfo): Promise<void> {
    if (!this.#onConnected) return;
    try {
      await this.#onConnected(info);
    } catch (error) {
      // A half-set-up session is useless: drop it so a retry starts clean.
      if (this.#ws === ws) this.#discardCurrentSocket();
      throw error;
    }
  }

  async emit_message(data: Uint8Array): Promise<void> {
    if (this._closed) throw new Error('Connection is closed');
    if (!this.#ready || !this.#ws || this.#ws.readyState !== WS_OPEN) {
      // The socket died while a reconnection was running its on_connected handler: fail that
      // handler's calls now instead of queueing them behind the very reconnection they block.
      if (this.#closedDuringReconnect) throw new Error('Connection lost during reconnection');
      await this.#waitUntilReady();
    }
    this.#ws!.send(data);
  }

  /** Close for good (code 1000); no reconnection. Resolves once the socket has closed. */
  async disconnect(reason = 'Disconnected by client'): Promise<void> {
    this._closed = true;
    this.#disconnectReason ??= reason;
    this.#timers.clear();
    this.#timers.wake();
    this.#rejectReadyWaiters(new Error('Connection is closed'));
    const ws = this.#ws;
    if (!ws || ws.readyState >= WS_CLOSING) return;
    const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    ws.close(1000, truncateReason(reason));
    await closed;
  }

  #adopt(ws: WebSocketLike, info: ConnectionInfo): void {
    this.#ws = ws;
    this.#ready = true;
    this.#connectedAt = Date.now();
    this.connection_info = info;
    this.manager_id = info.manager_id ?? null;
    if (info.reconnection_token) this.#reconnectionToken = info.reconnection_token;
    this.#refreshInterval = refreshIntervalFor(this.#refreshInterval, info.reconnection_token_life_time);
    this._enable_reconnect = true;
    ws.onmessage = (event) => this.#handleFrame(event.data);
    ws.onerror = (event) => this.#logger.warn('WebSocket error', { event: String(event) });
    ws.onclose = (event) => this.#handleClose(ws, event.code, event.reason);
    this.#startTimers();
    if (info.announcement) this.#logger.info('Server announcement', { announcement: info.announcement });
    this.#logger.info('Connected', { workspace: info.workspace, manager_id: info.manager_id });
    for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve();
  }

  #handleFrame(data: unknown): void {
    if (typeof data === 'string') {
      this.#handleControl(data);
      return;
    }
    const bytes = toUint8Array(data);
    if (!this.#onMessage) {
      this.#logger.error('Binary frame received but no message handler is registered', { bytes: bytes.byteLength });
      return;
    }
    this.#onMessage(bytes);
  }

  #handleControl(text: string): void {
    let message: { type?: string; reconnection_token?: string; message?: string };
    try {
      message = JSON.parse(text);
    } catch {
      this.#logger.warn('Invalid JSON text frame from the server', { text: text.slice(0, 200) });
      return;
    }
    if (message.type === 'reconnection_token' && message.reconnection_token) {
      this.#reconnectionToken = message.reconnection_token;
    } else if (message.type === 'pong') {
      // keep-alive reply
    } else if (message.type === 'error') {
      // Sent right before the server closes the socket; the close triggers reconnection.
      this.#logger.warn('Server error message', { message: message.message });
    } else {
      this.#logger.debug('Unknown control message', { type: message.type });
    }
  }

  #handleClose(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    this.#ready = false;
    this.#loss.markLost(ws);
    this.#timers.clear();
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
    const description = `code=${code}, reason=${reason || 'unknown'}`;
    if (this._closed || !this._enable_reconnect) {
      this.#onDisconnected?.(this.#disconnectReason ?? (reason || `Connection closed (${description})`));
      return;
    }
    this.#logger.warn('Connection lost, reconnecting', { code, reason });
    // _closed is false here, so the RPC keeps pending calls: they may complete after reconnecting.
    this.#onDisconnected?.(`Connection lost (${description})`);
    if (this.#reconnecting) {
      this.#closedDuringReconnect = true;
      return;
    }
    void this.#reconnectLoop(Date.now() - this.#connectedAt);
  }

  async #reconnectLoop(livedMs: number): Promise<void> {
    this.#reconnecting = true;
    // Flap control: a connection that died young waits before the first retry (spec §9.2).
    const young = livedMs < this.#reconnect.min_stable_ms;
    try {
      await runReconnectLoop({
        maxAttempts: this.#reconnect.max_attempts,
        delayBefore: (retry) => (retry > 0 ? this.#delayFor(retry - 1) : young ? this.#delayFor(0) : 0),
        sleep: (ms) => this.#timers.sleep(ms),
        isClosed: () => this._closed,
        attempt: () => this.#reconnectOnce(),
        afterFailure: () => {
          this.#closedDuringReconnect = false;
        },
        giveUp: (reason) => this.#giveUp(reason),
        reconnected: (attempts) => this.#logger.info('Reconnected', { attempts }),
        attemptFailed: (attempt, error, retryInMs) =>
          this.#logger.warn('Reconnection attempt failed', { attempt, retry_in_ms: Math.round(retryInMs), error: errorText(error) }),
      });
    } finally {
      this.#reconnecting = false;
    }
  }

  /** One reconnection: `true` once it held, `false` if closed meanwhile; throws if it failed. */
  async #reconnectOnce(): Promise<boolean> {
    this.#closedDuringReconnect = false;
    this._services_registered_ok = undefined;
    const { ws, info } = await this.#connectSocket();
    // A socket lost while the handler re-registers services fails this attempt at once:
    // the handler's calls went out on a dead socket and may never be answered.
    await this.#unlessLost(ws, this.#runConnectedHandler(ws, info), 'while re-registering services');
    if (this.#reconnect.settle_ms > 0) {
      await this.#unlessLost(ws, this.#timers.sleep(this.#reconnect.settle_ms), 'during the settle period');
    }
    if (this._closed) return false;
    if (this.#closedDuringReconnect || !this.#ws || this.#ws.readyState !== WS_OPEN) {
      throw new Error('Connection lost during reconnection settle period');
    }
    if (this._services_registered_ok === false) {
      this.#discardCurrentSocket();
      throw new Error('Service re-registration failed after reconnection');
    }
    return true;
  }

  /** `work`, unless `ws` is lost first: then the attempt fails at once (see {@link LossWatch}). */
  #unlessLost(ws: WebSocketLike, work: Promise<void>, when: string): Promise<void> {
    return this.#loss.unlessLost(ws, work, () => new Error(`Connection lost ${when}`), (error) => this.#logStale(error));
  }

  #logStale(error: unknown): void {
    this.#logger.warn('on_connected handler of a lost connection failed', { error: errorText(error) });
  }

  #giveUp(reason: string): void {
    this.#logger.error('Giving up reconnecting', { reason });
    this._closed = true;
    this.#timers.clear();
    this.#rejectReadyWaiters(new Error(`Connection is closed: ${reason}`));
    this.#onDisconnected?.(reason);
  }

  #delayFor(retry: number): number {
    return reconnectDelay(retry, this.#reconnect, Math.random());
  }

  #waitUntilReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#readyWaiters = this.#readyWaiters.filter((w) => w !== waiter);
        reject(new Error(`Connection is not open: no reconnection within ${this.#timeout}s`));
      }, this.#timeout * 1000);
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#readyWaiters.push(waiter);
    });
  }

  #rejectReadyWaiters(error: Error): void {
    for (const waiter of this.#readyWaiters.splice(0)) waiter.reject(error);
  }

  #startTimers(): void {
    this.#timers.clear();
    if (this.#refreshInterval > 0) {
      this.#timers.timeout(() => {
        this.#sendControl('refresh_token');
        this.#timers.interval(() => this.#sendControl('refresh_token'), this.#refreshInterval * 1000);
      }, this.#refreshDelay * 1000);
    }
    if (this.#pingInterval > 0) {
      this.#timers.interval(() => this.#sendControl('ping'), this.#pingInterval * 1000);
    }
  }

  #sendControl(type: 'ping' | 'refresh_token'): void {
    if (this.#ws && this.#ready && this.#ws.readyState === WS_OPEN) this.#ws.send(JSON.stringify({ type }));
  }

  /** Close the current socket without triggering reconnection (its handlers are detached). */
  #discardCurrentSocket(): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    this.#timers.clear();
    if (ws) dropSocket(ws);
  }
}
