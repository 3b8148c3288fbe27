// Public surface of @hypha/rpc. One name per line; the client layer appends its names below.

// transport contract
export type { ConnectionInfo, RPCConnection } from './connection.js';

// frame codec (spec §3.1) — also used by the server's router
export { encodeFrame } from './codec/frame.js';
export { decodeFrame } from './codec/frame.js';
export { decodeFrameHeader } from './codec/frame.js';
export { rewriteFrameHeader } from './codec/frame.js';
export { encodeMsgpack } from './codec/frame.js';
export { FrameError } from './codec/frame.js';
export type { FrameHeader, DecodedFrame } from './codec/frame.js';
export { msgpackValueEnd } from './codec/msgpack-length.js';
export { MsgpackFormatError } from './codec/msgpack-length.js';

// RPC peer
export { RPC } from './rpc.js';
export { API_VERSION } from './rpc.js';
export { CHUNK_SIZE } from './rpc.js';
export { RemoteService } from './encoding/remote-service.js';
export type {
  RPCOptions,
  EncodedMethod,
  EncodedGenerator,
  RemoteFunction,
  ServiceApi,
  ServiceConfig,
  LocalService,
  ServiceInfo,
  Codec,
  GetRemoteServiceConfig,
  RegisterServiceConfig,
  ServicesRegisteredEvent,
  CallContext,
} from './rpc-types.js';
export type { Logger } from './utils/logger.js';

// errors
export { RpcError } from './errors.js';
export { RemoteError } from './errors.js';
export { isRpcError } from './errors.js';
export { isRemoteError } from './errors.js';
export type { RpcErrorCode } from './errors.js';

// helpers
export { randId } from './utils/rand-id.js';
export { convertCase } from './utils/case-convert.js';
export { toCamelCase } from './utils/case-convert.js';
export { toSnakeCase } from './utils/case-convert.js';

// in-memory transport
export { MemoryConnection } from './memory/memory-connection.js';
export { createMemoryConnection } from './memory/memory-connection.js';
export { createLinkedPair } from './memory/memory-connection.js';
export type { MemoryConnectionOptions, LinkedPairOptions } from './memory/memory-connection.js';

// ---- client layer (WebSocket transport, connectToServer, login, schemas, typed services) ----
export { WebsocketRPCConnection } from './websocket/websocket-connection.js';
export type { WebsocketConnectionOptions, ReconnectOptions } from './websocket/websocket-connection.js';
export { ConnectionAbortedError } from './websocket/connection-errors.js';
export { isConnectionAbortedError } from './websocket/connection-errors.js';
export { normalizeServerUrl } from './websocket/server-url.js';
export { resolveWebSocketClass } from './websocket/websocket-like.js';
export type { WebSocketLike, WebSocketConstructor } from './websocket/websocket-like.js';
export { reconnectDelay } from './websocket/reconnect-backoff.js';
export type { BackoffOptions } from './websocket/reconnect-backoff.js';
export { connectToServer } from './client/connect-to-server.js';
export { connect_to_server } from './client/connect-to-server.js';
export { getRemoteService } from './client/connect-to-server.js';
export { get_remote_service } from './client/connect-to-server.js';
export { parseServiceUrl } from './client/service-url.js';
export type { ParsedServiceUrl } from './client/service-url.js';
export type { ServerConfig } from './client/client-config.js';
export { login } from './login.js';
export { logout } from './login.js';
export type { LoginConfig, LogoutConfig, LoginContext, UserTokenInfo } from './login.js';
export { schemaFunction } from './schema/schema-function.js';
export type { SchemaFunctionOptions } from './schema/schema-function.js';
export { typedFunction } from './schema/typed-function.js';
export type { TypedFunctionSpec, ParameterSpec, ParameterTypes } from './schema/typed-function.js';
export type { FunctionSchema, ObjectParametersSchema, SchemaFunction } from './schema/function-schema.js';
export { defineService } from './types/service-proxy.js';
export type { ServiceProxy, RemoteValue, RemoteResult, RemoteServiceInfo } from './types/service-proxy.js';
export type {
  HyphaServer,
  ServerConnectionConfig,
  ServiceQuery,
  GetServiceOptions,
  RegisterServiceOptions,
  TokenOptions,
  CodecSpec,
} from './types/workspace-manager.js';
export { connectToServerHTTP } from './client/connect-to-server.js';
export { getRemoteServiceHTTP } from './client/connect-to-server.js';
export { HTTPStreamingRPCConnection } from './http/http-connection.js';
export type { HttpConnectionOptions, HttpReconnectOptions } from './http/http-connection.js';
export { normalizeServerUrlHTTP } from './http/http-server-url.js';

// ASGI adapters: serve a fetch handler as an `asgi` service (Node handlers: `@hypha/rpc/node`)
export { fetchToAsgi } from './asgi/fetch-asgi.js';
export { asgiRequest } from './asgi/fetch-asgi.js';
export { sendAsgiResponse } from './asgi/fetch-asgi.js';
export { asgiBodyStream } from './asgi/fetch-asgi.js';
export type { FetchHandler, FetchAsgiOptions } from './asgi/fetch-asgi.js';
export type {
  AsgiBytes,
  AsgiCall,
  AsgiHttpScope,
  AsgiReceive,
  AsgiRequestMessage,
  AsgiResponseBody,
  AsgiResponseStart,
  AsgiSend,
  AsgiServe,
} from './asgi/asgi-types.js';
