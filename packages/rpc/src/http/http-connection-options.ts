import type { Logger } from '../utils/logger.js';
import type { BackoffOptions } from '../websocket/reconnect-backoff.js';

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
