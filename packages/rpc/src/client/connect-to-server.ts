import { HTTPStreamingRPCConnection } from '../http/http-connection.js';
import { normalizeServerUrlHTTP } from '../http/http-server-url.js';
import { RPC } from '../rpc.js';
import type { HyphaServer } from '../types/workspace-manager.js';
import { randId } from '../utils/rand-id.js';
import { resolveLogger } from '../websocket/logger.js';
import { normalizeServerUrl } from '../websocket/server-url.js';
import { WebsocketRPCConnection } from '../websocket/websocket-connection.js';
import { resolveServerConfig, type ResolvedServerConfig, type ServerConfig } from './client-config.js';
import type { ClientRpc } from './client-rpc.js';
import { parseServiceUrl } from './service-url.js';
import { buildWorkspaceManager } from './workspace-manager.js';

/**
 * Connect to a Hypha server (WebSocket, or HTTP streaming with `transport: "http"`) and
 * return its workspace manager: the server's
 * methods (`getService`, `listServices`, `generateToken`, `echo`, ...) and the client helpers
 * (`registerService`, `export`, `on`, `disconnect`, ...), each under its camelCase and its
 * snake_case name. The connection pings the server, refreshes its reconnection token and
 * reconnects (re-registering services) until `disconnect()`.
 *
 * @example
 * const server = await connectToServer({ server_url: 'https://hypha.aicell.io', token });
 * await server.registerService({ id: 'hello', config: { visibility: 'public' }, hi: (n: string) => `hi ${n}` });
 * const svc = await server.getService('hello');
 * await svc.hi('there'); // 'hi there'
 */
export async function connectToServer(config: ServerConfig = {}): Promise<HyphaServer> {
  const resolved = resolveServerConfig(config, randId);
  const logger = resolved.silent ? resolveLogger(null) : resolveLogger(resolved.logger);
  const connection = createConnection(resolved, logger);
  const info = await connection.open();
  try {
    const rpc = new RPC(connection, {
      client_id: resolved.client_id,
      workspace: info.workspace,
      default_context: { connection_type: resolved.transport === 'http' ? 'http_streaming' : 'websocket' },
      silent: resolved.silent ?? false,
      logger,
      name: resolved.name,
      method_timeout: resolved.method_timeout,
      rintf_timeout: resolved.rintf_timeout,
      app_id: resolved.app_id,
      server_base_url: info.public_base_url,
      long_message_chunk_size: resolved.long_message_chunk_size,
    }) as unknown as ClientRpc;
    // The RPC registers its built-in service as soon as it is constructed on an open connection.
    await rpc.wait_for_services_registered();
    const remote = await rpc.get_manager_service({
      timeout: resolved.method_timeout,
      case_conversion: 'camel+snake',
      kwargs_expansion: resolved.kwargs_expansion ?? false,
    });
    return buildWorkspaceManager(remote, {
      rpc,
      info,
      latestInfo: () => connection.connection_info,
      name: resolved.name,
      description: resolved.description,
      logger,
    });
  } catch (error) {
    await connection.disconnect('Connection setup failed');
    throw error;
  }
}

/** The transport picked by `config.transport` (spec §2 WebSocket, §10 HTTP streaming). */
function createConnection(
  resolved: ResolvedServerConfig,
  logger: ReturnType<typeof resolveLogger>,
): WebsocketRPCConnection | HTTPStreamingRPCConnection {
  if (resolved.transport === 'http') {
    return new HTTPStreamingRPCConnection({
      server_url: normalizeServerUrlHTTP(resolved.server_url),
      client_id: resolved.client_id,
      workspace: resolved.workspace,
      token: resolved.token,
      reconnection_token: resolved.reconnection_token,
      timeout: resolved.method_timeout || 60,
      token_refresh_interval: resolved.token_refresh_interval,
      reconnect: resolved.reconnect,
      logger,
    });
  }
  return new WebsocketRPCConnection({
    server_url: normalizeServerUrl(resolved.server_url),
    client_id: resolved.client_id,
    workspace: resolved.workspace,
    token: resolved.token,
    reconnection_token: resolved.reconnection_token,
    timeout: resolved.method_timeout || 60,
    WebSocketClass: resolved.WebSocketClass,
    token_refresh_interval: resolved.token_refresh_interval,
    ping_interval: resolved.ping_interval,
    reconnect: resolved.reconnect,
    logger,
  });
}

/** `connectToServer` with `transport: "http"` (hypha-rpc's `connectToServerHTTP`). */
export function connectToServerHTTP(config: ServerConfig = {}): Promise<HyphaServer> {
  return connectToServer({ ...config, transport: 'http' });
}

/** `getRemoteService` with `transport: "http"` (hypha-rpc's `getRemoteServiceHTTP`). */
export function getRemoteServiceHTTP<T = any>(serviceUri: string, config: ServerConfig = {}) {
  return getRemoteService<T>(serviceUri, { ...config, transport: 'http' });
}

/** Alias of {@link connectToServer} with hypha-rpc's Python-style name. */
export const connect_to_server = connectToServer;

/**
 * Connect to the server named in a service URL and return that service. As in hypha-rpc, the
 * connection stays open for the service's lifetime (it is closed if the lookup fails); the
 * service's non-enumerable `__server__` property is the connection, for `disconnect()`.
 *
 * @example
 * const login = await getRemoteService('https://hypha.aicell.io/public/services/hypha-login');
 */
export async function getRemoteService<T = any>(serviceUri: string, config: ServerConfig = {}) {
  const { serverUrl, workspace, clientId, serviceId, appId } = parseServiceUrl(serviceUri);
  const given = config.server_url ?? config.serverUrl;
  if (given && given !== serverUrl) {
    throw new Error(`server_url in config (${given}) does not match the server_url in the url (${serverUrl})`);
  }
  const { serverUrl: _camel, ...rest } = config;
  const server = await connectToServer({ ...rest, server_url: serverUrl });
  try {
    const service = await server.getService<T>(`${workspace}/${clientId}:${serviceId}@${appId}`);
    // Non-enumerable, so it is never sent along with the service: lets callers disconnect.
    Object.defineProperty(service, '__server__', { value: server, enumerable: false });
    return service;
  } catch (error) {
    await server.disconnect();
    throw error;
  }
}

/** Alias of {@link getRemoteService}. */
export const get_remote_service = getRemoteService;
