/**
 * Public types of the RPC layer: options, encoded values, services, codecs.
 */
import type { Logger } from './utils/logger.js';

/** An encoded function (`_rtype: "method"`, spec §5.3). */
export interface EncodedMethod {
  _rtype: 'method';
  _rtarget: string;
  _rmethod: string;
  _rpromise?: boolean | '*';
  _rserver?: string | null;
  _rname?: string | null;
  _rdoc?: string | null;
  _rschema?: unknown;
  _renc_pub?: Uint8Array;
  [key: string]: unknown;
}

/** An encoded generator (`_rtype: "generator"`, spec §5.5). */
export interface EncodedGenerator {
  _rtype: 'generator';
  _rserver?: string | null;
  _rtarget: string;
  _rmethod: string;
  _rclose_method?: string;
  _rpromise: '*';
  _rdoc?: string;
}

/** A function obtained by decoding a remote `method`; calling it performs an RPC call. */
export interface RemoteFunction {
  (...args: any[]): Promise<any>;
  /** The encoded map this function was decoded from (re-sent unchanged when passed on). */
  __rpc_object__: EncodedMethod;
  __name__: string;
  __doc__: string;
  __schema__?: unknown;
  __no_chunk__?: boolean;
}

/** Service configuration (spec §8.1); unknown keys are kept and sent to the manager. */
export interface ServiceConfig {
  visibility?: 'protected' | 'public' | 'unlisted';
  require_context?: boolean | string[];
  authorized_workspaces?: string[];
  run_in_executor?: boolean;
  workspace?: string;
  /** Never announced to the manager (used by `_rintf` services). */
  _local_only?: boolean;
  _rintf_allowed_caller?: string;
  [key: string]: unknown;
}

/** A service object as registered locally: metadata plus functions/values. */
export interface ServiceApi {
  id?: string;
  name?: string;
  type?: string;
  description?: string;
  docs?: string | null;
  config?: ServiceConfig;
  [key: string]: unknown;
}

/** A normalised local service (after `add_service`). */
export interface LocalService extends ServiceApi {
  id: string;
  name: string;
  type: string;
  config: ServiceConfig;
}

/** What is sent to the manager's `register_service` (spec §8.2). */
export interface ServiceInfo {
  config: ServiceConfig;
  id: string;
  name: string;
  description: string;
  type: string;
  docs: string | null;
  app_id: string;
  service_schema: unknown;
}

/** A custom codec (`register_codec`, spec §5.9). */
export interface Codec {
  name: string;
  /** Class whose instances the encoder handles (`value instanceof type`). */
  type?: abstract new (...args: any[]) => unknown;
  encoder?: (value: any) => unknown;
  decoder?: (encoded: any) => unknown;
}

/** Options of {@link RPC}; names follow hypha-rpc (snake_case). */
export interface RPCOptions {
  /** This peer's client id (no `/`). Required. */
  client_id: string;
  /** Own workspace; `*` for server-side peers such as the workspace manager. */
  workspace?: string | null;
  name?: string | null;
  /** Seconds before an unanswered call rejects (heartbeats extend it). @default 30 */
  method_timeout?: number | null;
  /** Timeout for `_rintf_` callbacks in seconds. @default 10 */
  rintf_timeout?: number | null;
  /** @default "*" */
  app_id?: string | null;
  /** `_rserver` stamped on encoded functions; `connection_info.public_base_url`. */
  server_base_url?: string | null;
  /** Bytes per chunk of a large message. @default 262144 */
  long_message_chunk_size?: number | null;
  /** Merged into every incoming message's `ctx` (e.g. `{connection_type: "websocket"}`). */
  default_context?: Record<string, unknown> | null;
  codecs?: Record<string, Codec> | null;
  /** No log output at all. */
  silent?: boolean;
  /** Custom logger; `null` silences output. Default: warnings and errors to the console. */
  logger?: Logger | null;
  /** Accepted for compatibility; extra logging of unhandled events. */
  debug?: boolean;
  /** Session garbage collection: max idle age in seconds. @default 600 */
  session_max_age?: number;
}

/** Config of `get_remote_service` / `get_manager_service`. */
export interface GetRemoteServiceConfig {
  /** Seconds; default `method_timeout`. */
  timeout?: number;
  case_conversion?: 'camel' | 'snake' | 'camel+snake' | null;
  kwargs_expansion?: boolean;
  /** Internal: do not wrap methods with the stale-reference retry. */
  _no_retry?: boolean;
  [key: string]: unknown;
}

/** Config of `register_service`. */
export interface RegisterServiceConfig {
  /** Announce to the workspace manager. @default true */
  notify?: boolean;
  overwrite?: boolean;
  check_type?: boolean;
}

/** Outcome of re-registering services after a (re)connection (`services_registered` event). */
export interface ServicesRegisteredEvent {
  total: number;
  registered: number;
  failed: string[];
}

/** Context passed to functions of services with `require_context` (spec §4.8). */
export interface CallContext {
  type?: string;
  from: string;
  to: string;
  ws?: string;
  user?: any;
  session?: string;
  parent?: string;
  method?: string;
  connection_type?: string;
  [key: string]: unknown;
}
