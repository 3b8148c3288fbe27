/**
 * One RPC peer of the hypha-rpc 0.21 protocol: registers local services, calls remote ones,
 * and speaks the wire format of spec §3–§6 over any {@link RPCConnection}.
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
import type { ConnectionInfo, RPCConnection } from './connection.js';
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
  ServiceConfig,
  ServiceInfo,
  ServicesRegisteredEvent,
} from './rpc-types.js';
import { decodeFrame, decodeFrameHeader, encodeFrame, type FrameHeader } from './codec/frame.js';
import { RpcError, toError } from './errors.js';
import { handleMethod } from './call/handle-method.js';
import { createMessageCache } from './call/message-cache.js';
import { makeRemoteMethod } from './call/remote-method.js';
import { decodeValue } from './encoding/value-decoder.js';
import { encodeValue } from './encoding/value-encoder.js';
import { RemoteService } from './encoding/remote-service.js';
import { ObjectStore, resolvePath, type SessionStore } from './session/object-store.js';
import { extractServiceInfo, normalizeService } from './service/service-info.js';
import { reregisterServices } from './service/reregister.js';
import { convertCase } from './utils/case-convert.js';
import { MessageEmitter } from './utils/emitter.js';
import { defaultLogger, silentLogger } from './utils/logger.js';
import { randId } from './utils/rand-id.js';
import type { AnyFunction } from './utils/any-function.js';

/** `built-in.config.api_version`: 3 enables indexed concurrent chunk upload. */
export const API_VERSION = 3;
/** Default chunk size for large messages (bytes). */
export const CHUNK_SIZE = 256 * 1024;

const STALE_SERVICE_ERRORS = [
  'Method expired or not found',
  'Session not found',
  'Peer',
  'Method not found',
  'Connection was closed',
  'Connection is closed',
];

type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

function waitWithTimeout<T>(promise: Promise<T>, seconds: number, message: string): Promise<T> {
  let handle: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    handle = setTimeout(() => reject(new RpcError('TIMEOUT', message)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(handle));
}

/**
 * An RPC peer. Method names exist in snake_case (hypha-rpc's) and camelCase.
 */
export class RPC extends MessageEmitter implements RpcInternals {
  /** @internal */ readonly clientId: string;
  /** @internal */ readonly localWorkspace: string | null;
  /** @internal */ serverBaseUrl: string | null;
  /** @internal */ readonly methodTimeout: number;
  /** @internal */ readonly rintfTimeout: number;
  /** @internal */ readonly chunkSize: number;
  /** @internal */ readonly store = new ObjectStore();
  /** @internal */ readonly annotations = new WeakMap<AnyFunction, MethodAnnotation>();
  /** @internal */ readonly codecs = new Map<string, Codec>();
  /** @internal */ readonly defaultContext: Record<string, unknown>;

  readonly #name: string | null;
  readonly #appId: string;
  readonly #connection: RPCConnection | null;
  readonly #sessionMaxAgeMs: number;
  #sweepTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;
  /** Aborted by close(): interrupts retry back-offs. */
  readonly #closing = new AbortController();
  #lastManagerId: string | null = null;
  #rintfByCaller = new Map<string, Set<string>>();
  #clientDisconnectedHandler: ((event: any) => void) | null = null;
  #registration: Promise<Settled<ServicesRegisteredEvent | null>> = Promise.resolve({ ok: true, value: null });

  constructor(connection: RPCConnection | null, options: RPCOptions) {
    const logger = options.logger === null || options.silent ? silentLogger : (options.logger ?? defaultLogger);
    super(logger);
    if (!options.client_id || typeof options.client_id !== 'string' || options.client_id.includes('/')) {
      throw new RpcError('INVALID_ARGUMENT', `client_id is required and must not contain "/": ${String(options.client_id)}`);
    }
    this.clientId = options.client_id;
    this.localWorkspace = options.workspace ?? null;
    this.#name = options.name ?? null;
    this.#appId = options.app_id || '*';
    this.methodTimeout = options.method_timeout || 30;
    this.rintfTimeout = options.rintf_timeout || 10;
    this.serverBaseUrl = options.server_base_url ?? null;
    this.chunkSize = options.long_message_chunk_size || CHUNK_SIZE;
    this.defaultContext = { ...(options.default_context ?? {}) };
    for (const codec of Object.values(options.codecs ?? {})) this.register_codec(codec);
    this.#sessionMaxAgeMs = (options.session_max_age ?? 600) * 1000;
    this.#connection = connection;

    this.on('method', (data) => handleMethod(this, data));
    this.on('peer_not_found', (data) => this.#handlePeerNotFound(data));
    if (!connection) return;

    this.add_service(this.#builtinService(), true);
    connection.on_message((data) => this.#onMessage(data));
    connection.on_connected((info) => this.#onConnected(info));
    connection.on_disconnected((reason) => this.#onDisconnected(reason));
    this.#sweepTimer = setInterval(() => this.store.sweep(this.#sessionMaxAgeMs), this.#sessionMaxAgeMs / 2);
    (this.#sweepTimer as { unref?: () => void }).unref?.();
    // Like hypha-rpc: if the connection is already up (manager known), register right away.
    void this.#onConnected(undefined);
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

  /** `{id, services}` with the info of every announced service. */
  get_client_info(): { id: string; services: ServiceInfo[] } {
    const services = Object.values(this.store.services as Record<string, LocalService>)
      .filter((s) => !s.config?._local_only)
      .map((s) => this.#serviceInfo(s));
    return { id: this.clientId, services };
  }

  // ---- services ---------------------------------------------------------------------------

  /** Adds a service locally (no manager call). @returns the normalised service. */
  add_service(api: ServiceApi | object, overwrite = false): LocalService {
    const service = normalizeService(api);
    const config = service.config;
    const existing = this.store.services[service.id];
    if (existing && !overwrite) {
      throw new RpcError(
        'INVALID_ARGUMENT',
        `Service already exists: ${service.id}, please specify a different id (not ${service.id}) or overwrite=true`,
      );
    }
    this.#annotate(service, service.id, config);
    this.store.services[service.id] = service;
    return service;
  }

  #annotate(node: any, path: string, config: ServiceConfig): void {
    if (typeof node === 'function') {
      const name = path.split('.')[1] ?? '';
      const rc = config.require_context;
      this.annotations.set(node, {
        require_context: Array.isArray(rc) ? rc.includes(name) : !!rc,
        method_id: `services.${path}`,
        visibility: config.visibility ?? 'protected',
        authorized_workspaces: config.authorized_workspaces,
        rintf_allowed_caller: config._rintf_allowed_caller ?? null,
      });
      return;
    }
    if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
    for (const key of Object.keys(node)) {
      let value = node[key];
      const remote = typeof value === 'function' ? (value as RemoteFunction).__rpc_object__ : undefined;
      if (remote) {
        // A decoded proxy of one of our own functions: register the original instead.
        const owner = remote._rtarget.includes('/') ? remote._rtarget.split('/')[1] : remote._rtarget;
        if (owner !== this.clientId) {
          throw new RpcError(
            'INVALID_ARGUMENT',
            `Local method not found: ${remote._rmethod}, client id mismatch ${this.clientId} != ${owner}`,
          );
        }
        value = node[key] = resolvePath(this.store.root, remote._rmethod);
      }
      this.#annotate(value, `${path}.${key}`, config);
    }
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
      for (const [caller, ids] of this.#rintfByCaller) {
        ids.delete(id);
        if (ids.size === 0) this.#rintfByCaller.delete(caller);
      }
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
    if (!service_id) throw new RpcError('INVALID_ARGUMENT', 'service_id is required');
    if (!context || typeof context.to !== 'string') throw new RpcError('INVALID_ARGUMENT', 'Context is required');
    const [ws, clientId] = context.to.split('/');
    if (clientId !== this.clientId) {
      throw new RpcError('PERMISSION_DENIED', `Services can only be accessed locally (to=${context.to})`);
    }
    const service = this.store.services[service_id] as LocalService | undefined;
    if (!service) throw new RpcError('METHOD_NOT_FOUND', `Service not found: ${service_id}`);
    const visibility = service.config.visibility;
    if (visibility === 'public' || visibility === 'unlisted') return service;
    if (context.ws === ws) return service;
    if (service.config.authorized_workspaces?.includes(context.ws as string)) return service;
    throw new RpcError(
      'PERMISSION_DENIED',
      `Permission denied for getting protected service: ${service_id}, workspace mismatch: ${ws} != ${String(context.ws)}`,
    );
  }

  /**
   * Fetches a service from another peer: `"<peer>:<service>"` (peer relative to our
   * workspace or absolute `<ws>/<client>`); a bare id means a service of this peer.
   */
  async get_remote_service(service_uri: string, config: GetRemoteServiceConfig = {}): Promise<RemoteService> {
    const timeout = config.timeout ?? this.methodTimeout;
    let uri = service_uri;
    if (!uri && this.managerId) uri = `*/${this.managerId}:default`;
    if (!uri) throw new RpcError('INVALID_ARGUMENT', 'service_uri is required');
    if (!uri.includes(':')) uri = `${this.clientId}:${uri}`;
    const provider = uri.split(':')[0]!;
    let serviceId = uri.split(':')[1]!;
    if (serviceId.includes('@')) {
      const appId = uri.split('@')[1];
      serviceId = serviceId.split('@')[0]!;
      if (this.#appId !== '*' && appId !== this.#appId) {
        throw new RpcError('INVALID_ARGUMENT', `Invalid app id: ${appId} != ${this.#appId}`);
      }
    }
    if (!provider || !serviceId) throw new RpcError('INVALID_ARGUMENT', `Invalid service uri: ${service_uri}`);
    const getService = this.makeRemoteMethod({
      _rtype: 'method',
      _rserver: this.serverBaseUrl,
      _rtarget: provider,
      _rmethod: 'services.built-in.get_service',
      _rpromise: true,
      _rdoc: 'Get a remote service',
    });
    const raw = await waitWithTimeout(
      getService(serviceId),
      timeout,
      `Timeout Error: Failed to get remote service: ${uri} (no reply within ${timeout}s)`,
    );
    if (!raw || typeof raw !== 'object') {
      throw new RpcError('DECODE_FAILED', `Invalid service returned for ${uri}: ${typeof raw}`);
    }
    let svc: Record<string, any> = raw;
    svc.id = `${provider}:${serviceId}`;
    if (config.kwargs_expansion) svc = expandKwargs(svc);
    if (config.case_conversion) svc = convertCase(svc, config.case_conversion);
    const result = Object.assign(new RemoteService(), svc);
    if (!config._no_retry) this.#wrapWithRetry(result, uri, config);
    return result;
  }

  /** Stale references (service re-registered elsewhere) are refreshed once and retried. */
  #wrapWithRetry(svc: RemoteService, uri: string, config: GetRemoteServiceConfig): void {
    for (const key of Object.keys(svc)) {
      const original = svc[key] as RemoteFunction;
      if (typeof original !== 'function') continue;
      const retrying = (async (...args: unknown[]) => {
        try {
          return await original(...args);
        } catch (err) {
          const msg = toError(err).message;
          if (!STALE_SERVICE_ERRORS.some((p) => msg.includes(p))) throw err;
          this.logger.info(`Stale service error on ${uri}:${key}, refreshing and retrying: ${msg}`);
          const fresh = await this.get_remote_service(uri, { ...config, _no_retry: true });
          if (typeof fresh[key] !== 'function') throw err;
          return await fresh[key](...args);
        }
      }) as RemoteFunction;
      retrying.__rpc_object__ = original.__rpc_object__;
      retrying.__name__ = original.__name__ ?? key;
      retrying.__doc__ = original.__doc__;
      retrying.__schema__ = original.__schema__;
      svc[key] = retrying;
    }
  }

  /** The workspace manager's `default` service, retrying while the manager id is unknown. */
  async get_manager_service(config: GetRemoteServiceConfig = {}, maxRetries = 20): Promise<RemoteService> {
    let lastError: unknown = new RpcError('CONNECTION_LOST', 'Manager ID not set after maximum retries');
    for (let attempt = 0; attempt < maxRetries; attempt++) {
      const delay = Math.min(500 * 2 ** attempt, 10_000);
      if (this.#closed) throw new RpcError('CONNECTION_CLOSED', 'RPC connection closed');
      const managerId = this.managerId;
      if (managerId) {
        try {
          return await this.get_remote_service(`*/${managerId}:default`, config);
        } catch (err) {
          lastError = err;
          this.logger.warn(`Failed to get manager service (attempt ${attempt + 1}/${maxRetries}): ${toError(err).message}`);
        }
      }
      if (attempt < maxRetries - 1) await this.#sleep(delay);
    }
    throw lastError;
  }

  /** Waits `ms`, or less if the peer is closed meanwhile. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#closing.signal;
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(handle);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const handle = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
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

  #onMessage(data: Uint8Array | ArrayBuffer | string): void {
    if (typeof data === 'string') {
      let main: Record<string, any>;
      try {
        main = JSON.parse(data);
      } catch (err) {
        this.logger.error(`Dropped malformed text message: ${toError(err).message}`);
        return;
      }
      main.ctx = { ...main, ...this.defaultContext };
      this.dispatch(main);
      return;
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    let decoded;
    try {
      decoded = decodeFrame(bytes);
    } catch (err) {
      this.#rejectMalformed(bytes, toError(err));
      return;
    }
    const main: Record<string, any> = decoded.main;
    main.ctx = { ...main, ...this.defaultContext };
    if (decoded.extra) Object.assign(main, decoded.extra);
    this.dispatch(main);
  }

  /** A frame we cannot read: tell the caller if segment 1 says who is waiting, else log it. */
  #rejectMalformed(bytes: Uint8Array, error: Error): void {
    let header: FrameHeader | null = null;
    try {
      header = decodeFrameHeader(bytes).header;
    } catch {
      header = null; // segment 1 itself is unreadable; nothing identifies the sender
    }
    this.logger.error(`Dropped malformed frame (${bytes.byteLength} bytes) from ${String(header?.from ?? 'unknown')}: ${error.message}`);
    if (header?.type === 'method' && typeof header.session === 'string' && typeof header.from === 'string') {
      const reply = encodeFrame(
        { type: 'method', from: `${this.localWorkspace ?? '*'}/${this.clientId}`, to: header.from, method: `${header.session}.reject` },
        { args: [{ _rtype: 'error', _rvalue: `Error: ${error.message}`, _rtrace: '' }] },
      );
      this.sendFrame(reply).catch((err: unknown) => this.logger.error('Failed to send the rejection of a malformed frame', err));
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

  /** camelCase alias of {@link get_remote_service}. */
  getRemoteService(uri: string, config?: GetRemoteServiceConfig): Promise<RemoteService> {
    return this.get_remote_service(uri, config);
  }

  /** @internal */
  addRintfService(functions: Record<string, AnyFunction>, allowedCaller: string | null): string {
    const id = `_rintf_${randId()}`;
    const config: ServiceConfig = { visibility: 'protected', _local_only: true };
    if (allowedCaller) config._rintf_allowed_caller = allowedCaller;
    const dispose = (): void => this.#dropRintf(id, allowedCaller);
    this.add_service({ id, config, ...functions, _dispose: dispose }, true);
    if (allowedCaller) {
      let ids = this.#rintfByCaller.get(allowedCaller);
      if (!ids) this.#rintfByCaller.set(allowedCaller, (ids = new Set()));
      ids.add(id);
    }
    return id;
  }

  #dropRintf(id: string, caller: string | null): void {
    delete this.store.services[id];
    const ids = caller ? this.#rintfByCaller.get(caller) : undefined;
    if (ids) {
      ids.delete(id);
      if (ids.size === 0) this.#rintfByCaller.delete(caller!);
    }
  }

  // ---- connection lifecycle ------------------------------------------------------------------

  #builtinService(): ServiceApi {
    const cache = createMessageCache(this);
    return {
      id: 'built-in',
      type: 'built-in',
      name: `Built-in services for ${this.localWorkspace}/${this.clientId}`,
      config: { require_context: true, visibility: 'public', api_version: API_VERSION },
      ping: (msg: string, context: CallContext): string => {
        if (msg !== 'ping') throw new RpcError('INVALID_ARGUMENT', `ping expects "ping", got ${String(msg)} from ${context?.from}`);
        return 'pong';
      },
      get_service: (service_id: string, context: CallContext) => this.get_local_service(service_id, context),
      message_cache: {
        create: (key: string, heartbeat: boolean, overwrite: boolean, context: CallContext) =>
          cache.create(key, heartbeat, overwrite, context),
        append: (key: string, data: Uint8Array, heartbeat: boolean, context: CallContext) =>
          cache.append(key, data, heartbeat, context),
        set: (key: string, index: number, data: Uint8Array, heartbeat: boolean, context: CallContext) =>
          cache.set(key, index, data, heartbeat, context),
        process: (key: string, heartbeat: boolean, context: CallContext) => cache.process(key, heartbeat, context),
        remove: (key: string, context: CallContext) => cache.remove(key, context),
      },
    };
  }

  #onConnected(info: ConnectionInfo | undefined): Promise<void> {
    if (info?.public_base_url) this.serverBaseUrl = info.public_base_url;
    const managerId = this.managerId;
    let run: Promise<Settled<ServicesRegisteredEvent | null>>;
    if (!managerId || this.#closed) {
      run = Promise.resolve({ ok: true, value: null });
    } else {
      if (this.#lastManagerId && this.#lastManagerId !== managerId) {
        // The server restarted: calls to the old manager will never be answered.
        this.#rejectSessionsFor(`*/${this.#lastManagerId}`, `Client disconnected: */${this.#lastManagerId}`);
      }
      this.#lastManagerId = managerId;
      run = reregisterServices({
        logger: this.logger,
        methodTimeout: this.methodTimeout,
        services: () => Object.values(this.store.services as Record<string, LocalService>),
        serviceInfo: (s) => this.#serviceInfo(s),
        getManager: () => this.get_manager_service({ timeout: 20, case_conversion: 'camel' }),
        fire: (event, data) => this.fire(event, data),
        onSubscribed: () => this.#installClientDisconnectedHandler(),
      }).then(
        (value): Settled<ServicesRegisteredEvent | null> => ({ ok: true, value }),
        (err: unknown): Settled<ServicesRegisteredEvent | null> => ({ ok: false, error: toError(err) }),
      );
    }
    this.#registration = run;
    return run.then(() => {
      if (info) this.fire('connected', info);
    });
  }

  /**
   * Waits for the service (re-)registration started by the latest (re)connection.
   * Resolves with `{total, registered, failed}` (or `null` when the connection has no manager);
   * rejects when the manager could not be reached.
   */
  async wait_for_services_registered(): Promise<ServicesRegisteredEvent | null> {
    const outcome = await this.#registration;
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  #installClientDisconnectedHandler(): void {
    if (this.#clientDisconnectedHandler) return;
    this.#clientDisconnectedHandler = (event: any) => {
      const id = event?.data?.id ?? event?.client;
      const ws = event?.data?.workspace;
      if (typeof id === 'string') this.#handleClientDisconnected(ws ? `${ws}/${id}` : id);
    };
    this.on('client_disconnected', this.#clientDisconnectedHandler);
  }

  #handleClientDisconnected(clientId: string): void {
    const sessions = this.#rejectSessionsFor(clientId, `Client disconnected: ${clientId}`);
    let rintf = 0;
    for (const id of this.#rintfByCaller.get(clientId) ?? []) {
      const svc = this.store.services[id];
      if (!svc) continue;
      delete this.store.services[id];
      rintf++;
    }
    this.#rintfByCaller.delete(clientId);
    this.fire('remote_client_disconnected', { client_id: clientId, sessions_cleaned: sessions, rintf_cleaned: rintf });
  }

  #handlePeerNotFound(data: Record<string, any>): void {
    const peerId = data.peer_id || data.from || 'unknown';
    const message = data.error || `Peer ${peerId} is not connected`;
    if (typeof data.session === 'string') {
      const session = this.store.getSession(data.session, false);
      if (session) this.#rejectSession(data.session, session, message, 'CLIENT_DISCONNECTED');
    }
    this.#rejectSessionsFor(peerId, message);
  }

  #rejectSession(id: string, session: SessionStore, message: string, code: 'CLIENT_DISCONNECTED' | 'CONNECTION_LOST' | 'CONNECTION_CLOSED'): void {
    const reject = session.reject;
    this.store.deleteSession(id);
    if (typeof reject === 'function') reject(new RpcError(code, message));
  }

  #rejectSessionsFor(targetId: string, message: string): number {
    let count = 0;
    for (const id of this.store.sessionsForTarget(targetId)) {
      const session = this.store.getSession(id, false);
      if (!session || session.target_id !== targetId) continue;
      this.#rejectSession(id, session, message, 'CLIENT_DISCONNECTED');
      count++;
    }
    return count;
  }

  #onDisconnected(reason?: string): void {
    const conn = this.#connection as (RPCConnection & Record<string, unknown>) | null;
    const reconnecting = !!(conn?._enable_reconnect ?? conn?.enable_reconnect) && !(conn?._closed ?? conn?.closed);
    if (reconnecting) {
      this.logger.info(`Connection lost (${reason}); reconnection enabled, pending calls kept`);
      return;
    }
    this.reject_pending_calls(`Connection lost: ${reason || 'unknown reason'}`);
  }

  /**
   * Rejects every call waiting for a reply with `reason` (for transports that give up
   * reconnecting). Sessions holding callbacks stay until garbage-collected.
   * @returns the number of rejected calls.
   */
  reject_pending_calls(reason = 'Connection lost'): number {
    let count = 0;
    for (const id of this.store.sessionIds()) {
      const session = this.store.getSession(id, false);
      if (!session || typeof session.reject !== 'function') continue;
      this.#rejectSession(id, session, reason, 'CONNECTION_LOST');
      count++;
    }
    if (count > 0) this.logger.warn(`Rejected ${count} pending RPC call(s): ${reason}`);
    return count;
  }

  /** Counts of live sessions (for diagnostics and tests). */
  get_session_stats(): { total_sessions: number; pending_calls: number; session_ids: string[] } {
    const ids = this.store.sessionIds();
    const pending = ids.filter((id) => typeof this.store.getSession(id, false)?.reject === 'function').length;
    return { total_sessions: ids.length, pending_calls: pending, session_ids: ids };
  }

  /**
   * Closes the peer: pending calls reject with `RPC connection closed`, event handlers are
   * removed, later sends fail with `Connection is closed`. Does not close the connection.
   */
  close(): void {
    if (this.#closed) return;
    for (const id of this.store.sessionIds()) {
      const session = this.store.getSession(id, false);
      if (session) this.#rejectSession(id, session, 'RPC connection closed', 'CONNECTION_CLOSED');
    }
    this.#closed = true;
    this.#closing.abort();
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = null;
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
    this.on('method', (data) => handleMethod(this, data));
    this.on('peer_not_found', (data) => this.#handlePeerNotFound(data));
    this.#clientDisconnectedHandler = null;
    for (const id of Object.keys(this.store.services)) if (id !== 'built-in') delete this.store.services[id];
  }

  #serviceInfo(service: LocalService): ServiceInfo {
    const ws = this.localWorkspace ?? (this.#connection as { workspace?: string } | null)?.workspace;
    return extractServiceInfo(service, this.clientId, ws, this.#appId);
  }

  /** The peer's display name (`name` option). */
  get name(): string | null {
    return this.#name;
  }

  // ---- camelCase aliases ---------------------------------------------------------------------

  registerService(api: ServiceApi | object, config?: RegisterServiceConfig): Promise<ServiceInfo> {
    return this.register_service(api, config);
  }
  unregisterService(service: string | { id: string }, notify?: boolean): Promise<void> {
    return this.unregister_service(service, notify);
  }
  addService(api: ServiceApi | object, overwrite?: boolean): LocalService {
    return this.add_service(api, overwrite);
  }
  getLocalService(serviceId: string, context: CallContext): LocalService {
    return this.get_local_service(serviceId, context);
  }
  getAllLocalServices(): Record<string, LocalService> {
    return this.get_all_local_services();
  }
  getManagerService(config?: GetRemoteServiceConfig, maxRetries?: number): Promise<RemoteService> {
    return this.get_manager_service(config, maxRetries);
  }
  registerCodec(config: Codec): void {
    this.register_codec(config);
  }
  getClientInfo(): { id: string; services: ServiceInfo[] } {
    return this.get_client_info();
  }
  rejectPendingCalls(reason?: string): number {
    return this.reject_pending_calls(reason);
  }
  waitForServicesRegistered(): Promise<ServicesRegisteredEvent | null> {
    return this.wait_for_services_registered();
  }
  getSessionStats(): { total_sessions: number; pending_calls: number; session_ids: string[] } {
    return this.get_session_stats();
  }
}

/** Makes `f(a, {k: v})` send `{k: v}` as keyword arguments (`with_kwargs`, spec §4.7). */
function expandKwargs(obj: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = Array.isArray(obj) ? [] : {};
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (typeof value === 'function') {
      const fn = (...args: unknown[]) => {
        const last = args[args.length - 1];
        if (last && typeof last === 'object' && !Array.isArray(last) && !(last instanceof Uint8Array)) {
          return value(...args.slice(0, -1), { ...last, _rkwargs: true });
        }
        return value(...args);
      };
      Object.assign(fn, value, { __name__: key });
      out[key] = fn;
    } else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
      out[key] = expandKwargs(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}
