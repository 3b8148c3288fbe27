/**
 * Entry of the browser bundles `dist/hypha-rpc-websocket.min.js` (global `hyphaWebsocketClient`,
 * like hypha-rpc's) and `dist/hypha-rpc-websocket.mjs`. Uses the browser's `WebSocket`; no
 * Node built-ins are reachable from here.
 */
import {
  connect_to_server,
  connectToServer,
  connectToServerHTTP,
  get_remote_service,
  getRemoteService,
  getRemoteServiceHTTP,
} from './client/connect-to-server.js';
import { HTTPStreamingRPCConnection } from './http/http-connection.js';
import { normalizeServerUrlHTTP } from './http/http-server-url.js';
import { parseServiceUrl } from './client/service-url.js';
import { RemoteError, RpcError } from './errors.js';
import { login, logout } from './login.js';
import { API_VERSION, RPC } from './rpc.js';
import { schemaFunction } from './schema/schema-function.js';
import { typedFunction } from './schema/typed-function.js';
import { defineService } from './types/service-proxy.js';
import { ConnectionAbortedError } from './websocket/connection-errors.js';
import { normalizeServerUrl } from './websocket/server-url.js';
import { WebsocketRPCConnection } from './websocket/websocket-connection.js';

export { API_VERSION };
export { RPC };
export { connectToServer };
export { connect_to_server };
export { getRemoteService };
export { connectToServerHTTP };
export { getRemoteServiceHTTP };
export { HTTPStreamingRPCConnection };
export { normalizeServerUrlHTTP };
export { get_remote_service };
export { login };
export { logout };
export { schemaFunction };
export { typedFunction };
export { defineService };
export { parseServiceUrl };
export { normalizeServerUrl };
export { WebsocketRPCConnection };
export { ConnectionAbortedError };
export { RemoteError };
export { RpcError };

/** Everything above as one object, for `import { hyphaWebsocketClient } from '.../hypha-rpc-websocket.mjs'`. */
export const hyphaWebsocketClient = {
  API_VERSION,
  RPC,
  connectToServer,
  connect_to_server,
  getRemoteService,
  get_remote_service,
  connectToServerHTTP,
  getRemoteServiceHTTP,
  HTTPStreamingRPCConnection,
  normalizeServerUrlHTTP,
  login,
  logout,
  schemaFunction,
  typedFunction,
  defineService,
  parseServiceUrl,
  normalizeServerUrl,
  WebsocketRPCConnection,
  ConnectionAbortedError,
  RemoteError,
  RpcError,
};
