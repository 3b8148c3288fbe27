/**
 * One RPC peer of the hypha-rpc 0.21 protocol: registers local services, calls remote ones,
 * and speaks the wire format of spec §3–§6 over any {@link RPCConnection}.
 *
 * The class wires the parts together: the service registry, the connection lifecycle (manager,
 * re-registration, disconnections), inbound frame reading, the call modules and the value
 * codec. Method names exist in snake_case (hypha-rpc's) and camelCase (see camel-aliases).
 *
 * @example
 * ```ts
 * const [a, b] = createLinkedPair();
 * const server = new RPC(a, { client_id: 'server', workspace: 'ws' });
 * const client = new RPC(b, { client_id: 'client', workspace: 'ws' });
 * await server.registerService({ id: 'hello', config: { visibility: 'public' }, hi: (n: string) => `hi ${n}` });
 * const svc = await client.getRemoteService('ws/server:hello');
 * await svc.hi('bob'); // "hi bob"
 * ```
 */
import type { RPCConnection } from './connection.js';
import type { MethodAnnotation, RpcInternals } from './rpc-internals.js';
import type {
  CallContext,
  Codec,
  EncodedMethod,
  GetRemoteServiceConfig,
  LocalService,
  RegisterServiceConfig,
  RemoteFunction,
  RPCOptions,
  ServiceApi,
  ServiceInfo,
  ServicesRegisteredEvent,
} from './rpc-types.js';
import { encodeFrame, type FrameHeader } from './codec/frame.js';
import { RpcError, toError } from './errors.js';
import { handleMethod } from './call/handle-method.js';
import { makeRemoteMethod } from './call/remote-method.js';
import { decodeValue } from './encoding/value-decoder.js';
import { encodeValue } from './encoding/value-encoder.js';
import type { RemoteService } from './encoding/remote-service.js';
import { builtinService } from './peer/builtin-service.js';
import { installCamelCaseAliases, type CamelCaseMethods } from './peer/camel-aliases.js';
import { ConnectionLifecycle } from './peer/connection-lifecycle.js';
import { receiveMessage } from './peer/inbound-frames.js';
import { handlePeerNotFound, rejectAllSessions, rejectPendingCalls, sessionStats } from './peer/pending-calls.js';
import { fetchRemoteService } from './peer/remote-service-lookup.js';
import { ServiceRegistry } from './peer/service-registry.js';
import { ObjectStore } from './session/object-store.js';
import { extractServiceInfo } from './service/service-info.js';
import { MessageEmitter } from './utils/emitter.js';
import { defaultLogger, silentLogger } from './utils/logger.js';
import { TimerWheel } from './utils/timer-wheel.js';
import { waitWithTimeout } from './utils/wait-with-timeout.js';
import type { AnyFunction } from './utils/any-function.js';

export { API_VERSION } from './peer/builtin-service.js';
/** Default chunk size for large messages (bytes). */
export const CHUNK_SIZE = 256 * 1024;

/** An RPC peer. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the merged interface types the camelCase aliases installed at the end of this file
export class RPC extends MessageEmitter implements RpcInternals {
  /** @internal */ readonly clientId: string;
  /** @internal */ readonly localWorkspace: string | null;
  /** @internal */ serverBaseUrl: string | null;
  /** @internal */ readonly methodTimeout: number;
  /** @internal */ readonly rintfTimeout: number;
  /** @internal */ readonly chunkSize: number;
  /** @internal */ readonly store = new ObjectStore();
  /** @internal */ readonly timers = new TimerWheel((err) => this.logger.error('Timer handler failed', err));
  /** @internal */ readonly annotations = new WeakMap<AnyFunction, MethodAnnotation>();
  /** @internal */ readonly codecs = new Map<string, Codec>();
  /** @internal */ readonly defaultContext: Record<string, unknown>;
  /** @internal */ readonly appId: string;

  readonly #name: string | null;
  readonly #connection: RPCConnection | null;
  readonly #sessionMaxAgeMs: number;
  readonly #registry: ServiceRegistry;
  readonly #lifecycle: ConnectionLifecycle;
  #sweepTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(connection: RPCConnection | null, options: RPCOptions) {
    const logger = options.logger === null || options.silent ? silentLogger : (options.logger ?? defaultLogger);
    super(logger);
    if (!options.client_id || typeof options.client_id !== 'string' || options.client_id.includes('/')) {
      throw new RpcError('INVALID_ARGUMENT', `client_id is required and must not contain "/": ${String(options.client_id)}`);
    }
    this.clientId = options.client_id;
    this.localWorkspace = options.workspace ?? null;
    this.#name = options.name ?? null;
    this.appId = options.app_id || '*';
    this.methodTimeout = options.method_timeout || 30;
    this.rintfTimeout = options.rintf_timeout || 10;
    this.serverBaseUrl = options.server_base_url ?? null;
    this.chunkSize = options.long_message_chunk_size || CHUNK_SIZE;
    this.defaultContext = { ...(options.default_context ?? {}) };
    for (const codec of Object.values(options.codecs ?? {})) this.register_codec(codec);
    this.#sessionMaxAgeMs = (options.session_max_age ?? 600) * 1000;
    this.#connection = connection;
    this.#registry = new ServiceRegistry(this.store, this.annotations, this.clientId);
    this.#lifecycle = new ConnectionLifecycle({
      logger: this.logger,
      methodTimeout: this.methodTimeout,
      store: this.store,
      connection,
      get managerId() {
        return connection?.manager_id ?? null;
      },
      isClosed: () => this.#closed,
      setServerBaseUrl: (url) => (this.serverBaseUrl = url),
      localServices: () => Object.values(this.store.services as Record<string, LocalService>),
      serviceInfo: (s) => this.#serviceInfo(s),
      getRemoteService: (uri, config) => this.get_remote_service(uri, config),
      fire: (event, data) => this.fire(event, data),
      on: (event, handler) => this.on(event, handler),
      dropRintfOf: (callerId) => this.#registry.dropRintfOf(callerId),
      rejectPendingCalls: (reason) => this.reject_pending_calls(reason),
    });

    this.#installCoreHandlers();
    if (!connection) return;

    this.add_service(builtinService(this, (id, context) => this.get_local_service(id, context)), true);
    connection.on_message((data) => receiveMessage(this, data));
    connection.on_connected((info) => this.#lifecycle.onConnected(info));
    connection.on_disconnected((reason) => this.#lifecycle.onDisconnected(reason));
    this.#sweepTimer = setInterval(() => this.store.sweep(this.#sessionMaxAgeMs), this.#sessionMaxAgeMs / 2);
    (this.#sweepTimer as { unref?: () => void }).unref?.();
    // Like hypha-rpc: if the connection is already up (manager known), register right away.
    void this.#lifecycle.onConnected(undefined);
  }

  #installCoreHandlers(): void {
    this.on('method', (data) => handleMethod(this, data));
    this.on('peer_not_found', (data) => handlePeerNotFound(this.store, data));
  }

  // ---- identity -------------------------------------------------------------------------

  /** Manager id of the current connection (`*\/<manager_id>`), if any. @internal */
  get managerId(): string | null {
    return this.#connection?.manager_id ?? null;
  }

  /** The transport this peer sends through. */
  get connection(): RPCConnection | null {
    return this.#connection;
  }

  /** The peer's display name (`name` option). */
  get name(): string | null {
    return this.#name;
  }

  /** `{id, services}` with the info of every announced service. */
  get_client_info(): { id: string; services: ServiceInfo[] } {
    const services = Object.values(this.store.services as Record<string, LocalService>)
      .filter((s) => !s.config?._local_only)
      .map((s) => this.#serviceInfo(s));
    return { id: this.clientId, services };
  }

  #serviceInfo(service: LocalService): ServiceInfo {
    const ws = this.localWorkspace ?? (this.#connection as { workspace?: string } | null)?.workspace;
    return extractServiceInfo(service, this.clientId, ws, this.appId);
  }

  // ---- services ---------------------------------------------------------------------------

  /** Adds a service locally (no manager call). @returns the normalised service. */
  add_service(api: ServiceApi | object, overwrite = false): LocalService {
    return this.#registry.add(api, overwrite);
  }

  /**
   * Adds a service locally and announces it to the workspace manager.
   * `config.notify` defaults to true when the connection has a manager, false otherwise.
   * @returns the service info sent to the manager.
   */
  async register_service(api: ServiceApi | object, config: RegisterServiceConfig = {}): Promise<ServiceInfo> {
    const notify = config.notify ?? !!this.managerId;
    const service = this.add_service(api, config.overwrite ?? false);
    const info = this.#serviceInfo(service);
    if (notify) {
      try {
        const manager = await this.get_manager_service({ timeout: 10, case_conversion: 'camel' });
        await manager.registerService(info);
      } catch (err) {
        throw new RpcError('SEND_FAILED', `Failed to notify workspace manager: ${toError(err).message}`, { cause: err });
      }
    }
    return info;
  }

  /** Removes a local service (`id`, `<client>:<id>` or `<…>:<id>@<app>`) and tells the manager. */
  async unregister_service(service: string | { id: string }, notify = true): Promise<void> {
    let id = typeof service === 'string' ? service : service?.id;
    if (!id || typeof id !== 'string') throw new RpcError('INVALID_ARGUMENT', `Invalid service id: ${String(id)}`);
    if (id.includes(':')) id = id.split(':')[1]!;
    if (id.includes('@')) id = id.split('@')[0]!;
    if (!this.store.services[id]) throw new RpcError('INVALID_ARGUMENT', `Service not found: ${id}`);
    if (id.startsWith('_rintf_')) {
      notify = false;
      this.#registry.forgetRintf(id);
    }
    if (notify && this.managerId) {
      const manager = await this.get_manager_service({ timeout: 10, case_conversion: 'camel' });
      await manager.unregisterService(id);
    }
    delete this.store.services[id];
  }

  /** All local services by id (including `built-in`). */
  get_all_local_services(): Record<string, LocalService> {
    return this.store.services;
  }

  /**
   * A local service as the `built-in.get_service` of this peer returns it to a caller with
   * `context` (visibility rules of spec §6.1).
   */
  get_local_service(service_id: string, context: CallContext): LocalService {
    return this.#registry.getLocal(service_id, context);
  }

  /** @internal */
  addRintfService(functions: Record<string, AnyFunction>, allowedCaller: string | null): string {
    return this.#registry.addRintf(functions, allowedCaller);
  }

  /**
   * Fetches a service from another peer: `"<peer>:<service>"` (peer relative to our
   * workspace or absolute `<ws>/<client>`); a bare id means a service of this peer.
   */
  get_remote_service(service_uri: string, config: GetRemoteServiceConfig = {}): Promise<RemoteService> {
    return fetchRemoteService(this, service_uri, config);
  }

  /** The workspace manager's `default` service, retrying while the manager id is unknown. */
  get_manager_service(config: GetRemoteServiceConfig = {}, maxRetries = 20): Promise<RemoteService> {
    return this.#lifecycle.getManagerService(config, maxRetries);
  }

  /**
   * Waits for the service (re-)registration started by the latest (re)connection.
   * Resolves with `{total, registered, failed}` (or `null` when the connection has no manager);
   * rejects when the manager could not be reached.
   */
  wait_for_services_registered(): Promise<ServicesRegisteredEvent | null> {
    return this.#lifecycle.waitForServicesRegistered();
  }

  /** Registers a custom codec (spec §5.9); a codec for the same type or name is replaced. */
  register_codec(config: Codec): void {
    if (!config?.name || (!config.encoder && !config.decoder)) {
      throw new RpcError(
        'INVALID_ARGUMENT',
        'Invalid codec format, please make sure you provide a name, type, encoder and decoder.',
      );
    }
    for (const [name, codec] of this.codecs) {
      if (name === config.name || (config.type && codec.type === config.type)) this.codecs.delete(name);
    }
    this.codecs.set(config.name, config);
  }

  /** Pings a peer's `built-in.ping`; resolves when it answered `"pong"`. */
  async ping(client_id: string, timeout?: number): Promise<void> {
    const method = this.makeRemoteMethod({
      _rtype: 'method',
      _rserver: this.serverBaseUrl,
      _rtarget: client_id,
      _rmethod: 'services.built-in.ping',
      _rpromise: true,
      _rdoc: 'Ping a remote client',
    });
    const seconds = timeout ?? this.methodTimeout;
    const answer = await waitWithTimeout(method('ping'), seconds, `Ping ${client_id} timed out after ${seconds}s`);
    if (answer !== 'pong') throw new RpcError('DECODE_FAILED', `Unexpected ping answer from ${client_id}: ${String(answer)}`);
  }

  // ---- messages -------------------------------------------------------------------------

  /**
   * Sends an event: `{type, to, ...}` plus optional segment 2. Without `to` the event is only
   * fired locally.
   */
  emit(main: FrameHeader, extra?: Record<string, unknown>): Promise<void> {
    if (!main || typeof main !== 'object' || typeof main.type !== 'string') {
      throw new RpcError('INVALID_ARGUMENT', 'Invalid message, must be an object with a `type` fields.');
    }
    if (!main.to) {
      this.fire(main.type, main);
      return Promise.resolve();
    }
    const frame = encodeFrame(main, extra);
    if (frame.byteLength > this.chunkSize + 1024) this.logger.warn(`Sending large message (size=${frame.byteLength})`);
    return this.sendFrame(frame);
  }

  /** @internal */
  sendFrame(frame: Uint8Array): Promise<void> {
    if (this.#closed || !this.#connection) return Promise.reject(new RpcError('CONNECTION_CLOSED', 'Connection is closed'));
    try {
      return Promise.resolve(this.#connection.emit_message(frame));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** @internal */
  dispatch(main: Record<string, any>): void {
    if (typeof main.type !== 'string') {
      this.logger.error(`Dropped message without a type from ${String(main.from ?? 'unknown')}`);
      return;
    }
    this.fire(main.type, main);
  }

  // ---- encoding ---------------------------------------------------------------------------

  /** Encodes a value as it would be sent, storing callbacks under `session_id`. */
  encode(value: unknown, session_id: string | null, local_workspace?: string | null): Promise<unknown> {
    return encodeValue(this, value, session_id, local_workspace);
  }

  /** Decodes a received value (see spec §5.7 for the scope parameters). */
  decode(
    value: unknown,
    remote_parent?: string | null,
    local_parent?: string | null,
    remote_workspace?: string | null,
    local_workspace?: string | null,
  ): Promise<any> {
    return decodeValue(this, value, {
      remoteParent: remote_parent,
      localParent: local_parent,
      remoteWorkspace: remote_workspace,
      localWorkspace: local_workspace,
    });
  }

  /** @internal */
  makeRemoteMethod(
    encoded: EncodedMethod,
    remoteParent?: string | null,
    localParent?: string | null,
    remoteWorkspace?: string | null,
    localWorkspace?: string | null,
  ): RemoteFunction {
    return makeRemoteMethod(this, encoded, remoteParent, localParent, remoteWorkspace, localWorkspace);
  }

  // ---- sessions and shutdown ----------------------------------------------------------------

  /**
   * Rejects every call waiting for a reply with `reason` (for transports that give up
   * reconnecting). Sessions holding callbacks stay until garbage-collected.
   * @returns the number of rejected calls.
   */
  reject_pending_calls(reason = 'Connection lost'): number {
    return rejectPendingCalls(this.store, this.logger, reason);
  }

  /** Counts of live sessions (for diagnostics and tests). */
  get_session_stats(): { total_sessions: number; pending_calls: number; session_ids: string[] } {
    return sessionStats(this.store);
  }

  /**
   * Closes the peer: pending calls reject with `RPC connection closed`, event handlers are
   * removed, later sends fail with `Connection is closed`. Does not close the connection.
   */
  close(): void {
    if (this.#closed) return;
    rejectAllSessions(this.store, 'RPC connection closed');
    this.#closed = true;
    this.#lifecycle.close();
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = null;
    this.timers.clear();
    this.fire('disconnected', undefined);
    this.off();
  }

  /** {@link close} plus `connection.disconnect()`. */
  async disconnect(): Promise<void> {
    this.close();
    await this.#connection?.disconnect();
  }

  /** Removes user event handlers and all services except `built-in`. */
  reset(): void {
    this.off();
    this.#installCoreHandlers();
    this.#lifecycle.forgetHandlers();
    this.#registry.removeAllButBuiltin();
  }
}

// camelCase aliases of the snake_case methods (registerService, getRemoteService, ...).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- types the aliases installed just below
export interface RPC extends CamelCaseMethods {}
installCamelCaseAliases(RPC.prototype);
