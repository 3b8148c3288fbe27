import type { Logger } from '../utils/logger.js';
import type { BackoffOptions } from './reconnect-backoff.js';
import type { WebSocketConstructor } from './websocket-like.js';

/** Reconnection tuning; the defaults follow hypha-rpc (spec §9.2). */
export interface ReconnectOptions extends BackoffOptions {
  /** Give up after this many failed attempts. Default: effectively never (1e6). */
  max_attempts: number;
  /** Wait after a reconnect before checking it held. Default 500 ms. */
  settle_ms: number;
  /** A connection that lived less than this is "flapping": delay the first retry. Default 5000 ms. */
  min_stable_ms: number;
}

/** Options of {@link WebsocketRPCConnection}; snake_case like hypha-rpc's config keys. */
export interface WebsocketConnectionOptions {
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:9527/ws` (see `normalizeServerUrl`). */
  server_url: string;
  client_id: string;
  workspace?: string | null;
  token?: string | null;
  reconnection_token?: string | null;
  /** Seconds to wait for `connection_info`, and for a reconnection when sending. Default 60. */
  timeout?: number;
  /** The WebSocket implementation; default: `globalThis.WebSocket`, else the `ws` package. */
  WebSocketClass?: WebSocketConstructor | null;
  /** Seconds between `refresh_token` requests; 0 disables. Default 7200. */
  token_refresh_interval?: number;
  /** Seconds before the first `refresh_token` request. Default 2. */
  token_refresh_delay?: number;
  /** Seconds between application-level `{"type":"ping"}` frames; 0 disables. Default 30. */
  ping_interval?: number;
  reconnect?: Partial<ReconnectOptions>;
  /** `null` silences the connection; default logs warnings and errors only. */
  logger?: Logger | null;
}
