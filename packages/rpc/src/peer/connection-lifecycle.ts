/**
 * What a peer does as its connection comes and goes (spec §8.4, §9): re-registering services
 * with the workspace manager on every (re)connection, fetching the manager with retries, and
 * failing the calls to peers (or a manager) that went away.
 */
import type { ConnectionInfo, RPCConnection } from '../connection.js';
import type { GetRemoteServiceConfig, LocalService, ServiceInfo, ServicesRegisteredEvent } from '../rpc-types.js';
import type { RemoteService } from '../encoding/remote-service.js';
import { RpcError, toError } from '../errors.js';
import { reregisterServices } from '../service/reregister.js';
import type { ObjectStore } from '../session/object-store.js';
import type { EventHandler } from '../utils/emitter.js';
import type { Logger } from '../utils/logger.js';
import { rejectSessionsFor } from './pending-calls.js';

type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };
type Registration = Settled<ServicesRegisteredEvent | null>;

/** What the lifecycle needs from the peer. */
export interface LifecycleHost {
  readonly logger: Logger;
  readonly methodTimeout: number;
  readonly store: ObjectStore;
  readonly connection: RPCConnection | null;
  readonly managerId: string | null;
  /** True once the peer was closed. */
  isClosed(): boolean;
  setServerBaseUrl(url: string): void;
  localServices(): LocalService[];
  serviceInfo(service: LocalService): ServiceInfo;
  getRemoteService(uri: string, config: GetRemoteServiceConfig): Promise<RemoteService>;
  fire(event: string, data: unknown): void;
  on(event: string, handler: EventHandler): void;
  /** Removes the `_rintf_` services of a caller that went away. @returns how many. */
  dropRintfOf(callerId: string): number;
  rejectPendingCalls(reason: string): number;
}

export class ConnectionLifecycle {
  readonly #host: LifecycleHost;
  /** Aborted by close(): interrupts retry back-offs. */
  readonly #closing = new AbortController();
  /** Pending retry back-offs, woken when the transport closes for good. */
  readonly #sleepers = new Set<() => void>();
  #lastManagerId: string | null = null;
  #clientDisconnectedHandler: EventHandler | null = null;
  #registration: Promise<Registration> = Promise.resolve({ ok: true, value: null });

  constructor(host: LifecycleHost) {
    this.#host = host;
  }

  /** On every (re)connection: re-register services with the manager, then fire `connected`. */
  onConnected(info: ConnectionInfo | undefined): Promise<void> {
    const host = this.#host;
    if (info?.public_base_url) host.setServerBaseUrl(info.public_base_url);
    const managerId = host.managerId;
    let run: Promise<Registration>;
    if (!managerId || host.isClosed()) {
      run = Promise.resolve({ ok: true, value: null });
    } else {
      if (this.#lastManagerId && this.#lastManagerId !== managerId) {
        // The server restarted: calls to the old manager will never be answered.
        rejectSessionsFor(host.store, `*/${this.#lastManagerId}`, `Client disconnected: */${this.#lastManagerId}`);
      }
      this.#lastManagerId = managerId;
      run = reregisterServices({
        logger: host.logger,
        methodTimeout: host.methodTimeout,
        services: () => host.localServices(),
        serviceInfo: (s) => host.serviceInfo(s),
        getManager: () => this.getManagerService({ timeout: 20, case_conversion: 'camel' }),
        fire: (event, data) => host.fire(event, data),
        onSubscribed: () => this.#installClientDisconnectedHandler(),
      }).then(
        (value): Registration => ({ ok: true, value }),
        (err: unknown): Registration => ({ ok: false, error: toError(err) }),
      );
    }
    this.#registration = run;
    return run.then((outcome) => {
      // A reconnecting transport retries unless every service is registered again (hypha-rpc's flag).
      const latest = this.#registration === run;
      if (latest && host.connection && !(outcome.ok && outcome.value === null)) {
        host.connection._services_registered_ok = outcome.ok && outcome.value!.failed.length === 0;
      }
      if (info) host.fire('connected', info);
    });
  }

  /** The outcome of the registration started by the latest (re)connection. */
  async waitForServicesRegistered(): Promise<ServicesRegisteredEvent | null> {
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
    this.#host.on('client_disconnected', this.#clientDisconnectedHandler);
  }

  /** Event handlers were removed (`reset()`): subscribe again on the next registration. */
  forgetHandlers(): void {
    this.#clientDisconnectedHandler = null;
  }

  #handleClientDisconnected(clientId: string): void {
    const host = this.#host;
    const sessions = rejectSessionsFor(host.store, clientId, `Client disconnected: ${clientId}`);
    const rintf = host.dropRintfOf(clientId);
    host.fire('remote_client_disconnected', { client_id: clientId, sessions_cleaned: sessions, rintf_cleaned: rintf });
  }

  /** The transport went down: keep pending calls if it reconnects, else fail them. */
  onDisconnected(reason?: string): void {
    const conn = this.#host.connection as (RPCConnection & Record<string, unknown>) | null;
    const reconnecting = !!(conn?._enable_reconnect ?? conn?.enable_reconnect) && !(conn?._closed ?? conn?.closed);
    if (reconnecting) {
      this.#host.logger.info(`Connection lost (${reason}); reconnection enabled, pending calls kept`);
      return;
    }
    this.#host.rejectPendingCalls(`Connection lost: ${reason || 'unknown reason'}`);
    for (const wake of [...this.#sleepers]) wake();
  }

  /** The workspace manager's `default` service, retrying while the manager id is unknown. */
  async getManagerService(config: GetRemoteServiceConfig = {}, maxRetries = 20): Promise<RemoteService> {
    const host = this.#host;
    let lastError: unknown = new RpcError('CONNECTION_LOST', 'Manager ID not set after maximum retries');
    for (let attempt = 0; attempt < maxRetries; attempt++) {
      const delay = Math.min(500 * 2 ** attempt, 10_000);
      if (host.isClosed()) throw new RpcError('CONNECTION_CLOSED', 'RPC connection closed');
      if (this.#connectionClosed()) throw new RpcError('CONNECTION_CLOSED', 'Connection is closed: stopped fetching the manager service');
      const managerId = host.managerId;
      if (managerId) {
        try {
          return await host.getRemoteService(`*/${managerId}:default`, config);
        } catch (err) {
          lastError = err;
          host.logger.warn(`Failed to get manager service (attempt ${attempt + 1}/${maxRetries}): ${toError(err).message}`);
        }
      }
      if (attempt < maxRetries - 1) await this.#sleep(delay);
    }
    throw lastError;
  }

  /** True once the transport closed for good (`_closed`; `closed` for in-memory pairs). */
  #connectionClosed(): boolean {
    const conn = this.#host.connection as (RPCConnection & Record<string, unknown>) | null;
    return !!(conn?._closed ?? conn?.closed);
  }

  /** Waits `ms`, or less if the peer or its transport is closed meanwhile. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#closing.signal;
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(handle);
        signal.removeEventListener('abort', done);
        this.#sleepers.delete(done);
        resolve();
      };
      const handle = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      this.#sleepers.add(done);
    });
  }

  /** The peer closes: interrupt retry back-offs. */
  close(): void {
    this.#closing.abort();
  }
}
