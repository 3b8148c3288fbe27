import type { Logger } from '../utils/logger.js';
import type { WebSocketConstructor } from '../websocket/websocket-like.js';
import type { ReconnectOptions } from '../websocket/websocket-connection.js';

/**
 * Configuration of {@link connectToServer}: hypha-rpc's keys. Every snake_case key may also be
 * written in camelCase (`serverUrl`, `clientId`, `methodTimeout`, ...).
 */
export interface ServerConfig {
  /** e.g. `https://hypha.aicell.io` or `ws://127.0.0.1:9527/ws`. */
  server_url?: string;
  serverUrl?: string;
  /** Legacy form: `{url, WebSocketClass}`. */
  server?: { url?: string; WebSocketClass?: WebSocketConstructor };
  client_id?: string;
  clientId?: string;
  workspace?: string;
  token?: string;
  reconnection_token?: string;
  reconnectionToken?: string;
  /** Seconds; RPC call timeout, also the handshake timeout. Default 30 (RPC) / 60 (handshake). */
  method_timeout?: number;
  methodTimeout?: number;
  /** Client name (sent in the built-in service's name). */
  name?: string;
  description?: string;
  app_id?: string;
  appId?: string;
  /** `"websocket"` (default) or `"http"`. */
  transport?: 'websocket' | 'http' | null;
  WebSocketClass?: WebSocketConstructor;
  token_refresh_interval?: number;
  tokenRefreshInterval?: number;
  ping_interval?: number;
  pingInterval?: number;
  rintf_timeout?: number;
  rintfTimeout?: number;
  long_message_chunk_size?: number;
  longMessageChunkSize?: number;
  kwargs_expansion?: boolean;
  kwargsExpansion?: boolean;
  silent?: boolean;
  /** `null` silences logging; default prints warnings and errors only. */
  logger?: Logger | null;
  /** Reconnection tuning (not in hypha-rpc): backoff, attempts, settle period. */
  reconnect?: Partial<ReconnectOptions>;
  [key: string]: unknown;
}

/** The normalised config: snake_case keys, `server_url` and `client_id` resolved. */
export interface ResolvedServerConfig {
  server_url: string;
  client_id: string;
  workspace?: string;
  token?: string;
  reconnection_token?: string;
  method_timeout?: number;
  name?: string;
  description?: string;
  app_id?: string;
  transport: 'websocket' | 'http';
  WebSocketClass?: WebSocketConstructor;
  token_refresh_interval?: number;
  ping_interval?: number;
  rintf_timeout?: number;
  long_message_chunk_size?: number;
  kwargs_expansion?: boolean;
  silent?: boolean;
  logger?: Logger | null;
  reconnect?: Partial<ReconnectOptions>;
}

/** Keys kept verbatim (not snake_cased). */
const VERBATIM = new Set(['WebSocketClass', 'server', 'logger', 'reconnect']);

/** Keys of hypha-rpc features this client does not implement; a truthy value is an error. */
const UNSUPPORTED: Record<string, string> = {
  webrtc: 'WebRTC is not supported by @hypha/rpc',
  encryption: 'end-to-end encryption is not supported by @hypha/rpc',
  additional_headers: 'additional_headers cannot be sent by the WebSocket transport (browsers cannot set headers)',
};

function toSnake(key: string): string {
  return key.replace(/([A-Z])/g, '_$1').toLowerCase();
}

/**
 * Normalise a {@link ServerConfig}: camelCase keys become snake_case (a key given in both forms
 * with different values is an error), `server.url` fills `server_url`, an empty config is read
 * from `HYPHA_SERVER_URL`/`HYPHA_TOKEN`/`HYPHA_CLIENT_ID`/`HYPHA_WORKSPACE` when a `process.env`
 * exists, and a random `client_id` is generated when none is given.
 */
export function resolveServerConfig(config: ServerConfig, generateClientId: () => string): ResolvedServerConfig {
  if (config === null || typeof config !== 'object') throw new Error('connectToServer: config should be an object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const name = VERBATIM.has(key) ? key : toSnake(key);
    if (name in out && out[name] !== value) {
      throw new Error(`Conflicting values for config key ${name} (given both as ${key} and in another case form)`);
    }
    out[name] = value;
  }
  if (Object.keys(out).length === 0) Object.assign(out, configFromEnv());
  for (const [key, message] of Object.entries(UNSUPPORTED)) {
    const value = out[key];
    if (value && !(typeof value === 'object' && Object.keys(value).length === 0)) throw new Error(`${key}: ${message}`);
  }
  const server = out.server as ServerConfig['server'] | undefined;
  if (server) {
    out.server_url ??= server.url;
    out.WebSocketClass ??= server.WebSocketClass;
    delete out.server;
  }
  if (typeof out.server_url !== 'string' || !out.server_url) throw new Error('server_url is required');
  const transport = out.transport ?? 'websocket';
  if (transport !== 'websocket' && transport !== 'http') {
    throw new Error(`Invalid transport: ${String(transport)} (expected "websocket" or "http")`);
  }
  out.transport = transport;
  if (!out.client_id) out.client_id = generateClientId();
  if (typeof out.client_id !== 'string' || /[/]/.test(out.client_id)) {
    throw new Error(`Invalid client_id: ${String(out.client_id)} (a string without "/")`);
  }
  for (const key of ['method_timeout', 'token_refresh_interval', 'ping_interval', 'rintf_timeout', 'long_message_chunk_size']) {
    if (out[key] !== undefined && (typeof out[key] !== 'number' || !Number.isFinite(out[key]) || (out[key] as number) < 0)) {
      throw new Error(`Invalid ${key}: ${String(out[key])} (a non-negative number)`);
    }
  }
  return out as unknown as ResolvedServerConfig;
}

function configFromEnv(): Record<string, unknown> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (!env) return {};
  return {
    server_url: env.HYPHA_SERVER_URL,
    token: env.HYPHA_TOKEN,
    client_id: env.HYPHA_CLIENT_ID,
    workspace: env.HYPHA_WORKSPACE,
  };
}
