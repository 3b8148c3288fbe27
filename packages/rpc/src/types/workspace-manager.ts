import type { ServiceProxy } from './service-proxy.js';

/** What `connection_info` told the client, merged into the manager's own config (spec §2.4). */
export interface ServerConnectionConfig {
  workspace: string;
  client_id: string;
  manager_id: string;
  public_base_url: string;
  reconnection_token?: string | null;
  reconnection_token_life_time?: number;
  hypha_version?: string;
  user?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Arguments of `getService`: a service id (`svc`, `client:svc`, `ws/client:svc@app`) or a query. */
export type ServiceQuery = string | { id?: string; workspace?: string; client_id?: string; service_id?: string; app_id?: string };

/** Options of `getService` (server-side `GetServiceConfig`, spec server-api §1.1). */
export interface GetServiceOptions {
  mode?: 'default' | 'random' | 'first' | 'last' | 'exact' | 'select' | string;
  timeout?: number;
  case_conversion?: 'camel' | 'snake' | null;
  select_timeout?: number;
  [key: string]: unknown;
}

/** Options of `registerService` (hypha-rpc's `register_service` config). */
export interface RegisterServiceOptions {
  overwrite?: boolean;
  notify?: boolean;
  check_type?: boolean;
}

/** Options of `generateToken` (`TokenConfig`). */
export interface TokenOptions {
  expires_in?: number;
  workspace?: string;
  permission?: 'read' | 'read_write' | 'admin';
  extra_scopes?: string[];
  client_id?: string;
  email?: string;
}

type Untyped = (...args: any[]) => Promise<any>;

/** A custom codec (spec §5.9): `encoder` turns instances of `type` into plain values. */
export interface CodecSpec {
  name: string;
  type?: unknown;
  encoder?: (value: any) => unknown;
  decoder?: (encoded: any) => unknown;
}

/**
 * The object `connectToServer` resolves to: the workspace manager's remote methods plus the
 * client-side helpers, each under its camelCase and its snake_case name (hypha-rpc's JS
 * client gives camelCase, its Python client snake_case; this one gives both).
 * Manager methods not listed here are still present, untyped.
 */
export interface HyphaServer {
  /** The manager's config merged with `connection_info`. */
  config: ServerConnectionConfig & Record<string, unknown>;
  /** The underlying RPC peer. */
  rpc: any;
  /** `*\/<manager_id>:default`. */
  id: string;

  registerService(service: Record<string, unknown>, options?: RegisterServiceOptions): Promise<any>;
  register_service(service: Record<string, unknown>, options?: RegisterServiceOptions): Promise<any>;
  unregisterService(serviceId: string | Record<string, unknown>, notify?: boolean): Promise<void>;
  unregister_service(serviceId: string | Record<string, unknown>, notify?: boolean): Promise<void>;
  /** Resolve a service; pass the provider's service type to get a typed proxy. */
  getService<T = any>(query: ServiceQuery, options?: GetServiceOptions): Promise<ServiceProxy<T>>;
  get_service<T = any>(query: ServiceQuery, options?: GetServiceOptions): Promise<ServiceProxy<T>>;
  getServiceInfo(serviceId: string, options?: GetServiceOptions): Promise<Record<string, any>>;
  get_service_info(serviceId: string, options?: GetServiceOptions): Promise<Record<string, any>>;
  listServices(query?: ServiceQuery | null, includeUnlisted?: boolean): Promise<Array<Record<string, any>>>;
  list_services(query?: ServiceQuery | null, includeUnlisted?: boolean): Promise<Array<Record<string, any>>>;
  listClients(workspace?: string): Promise<Array<{ id: string; user?: unknown }>>;
  list_clients(workspace?: string): Promise<Array<{ id: string; user?: unknown }>>;
  generateToken(options?: TokenOptions): Promise<string>;
  generate_token(options?: TokenOptions): Promise<string>;
  echo<T>(data: T): Promise<T>;
  ping(clientId: string, timeout?: number): Promise<string>;
  subscribe(eventType: string | string[]): Promise<unknown>;
  unsubscribe(eventType: string | string[]): Promise<unknown>;

  /** Register `api` as this client's `default` service (apps). */
  export(api: Record<string, unknown>): Promise<void>;
  getApp(clientId?: string): Promise<any>;
  get_app(clientId?: string): Promise<any>;
  listApps(workspace?: string): Promise<Array<Record<string, any>>>;
  list_apps(workspace?: string): Promise<Array<Record<string, any>>>;
  registerProbes(probes: Record<string, unknown>): Promise<any>;
  register_probes(probes: Record<string, unknown>): Promise<any>;
  registerCodec(codec: CodecSpec): void;
  register_codec(codec: CodecSpec): void;
  getServiceSchema(service: Record<string, unknown>): any;
  get_service_schema(service: Record<string, unknown>): any;
  /** Send an event message to other clients (`{type, to, ...}`). */
  emit(message: Record<string, unknown>): Promise<void> | void;
  on(event: string, handler: (data: any) => void): void;
  off(event?: string, handler?: (data: any) => void): void;
  once(event: string, handler: (data: any) => void): void;
  /** Close the connection for good. */
  disconnect(): Promise<void>;

  [method: string]: any | Untyped;
}
