/**
 * Long-lived HTTP caller peers, one per (caller identity, caller workspace), and the service
 * descriptions each has fetched. Opening, attaching and closing a peer per request (and asking the
 * provider for the service's description every time) cost more than the call itself.
 *
 * The router stamps a peer's frames with the user it was attached with, so a peer is shared only
 * by requests whose user is identical (compared as JSON, scopes and expiry included): the callee
 * sees the same `context` as with a per-request peer. A peer idle for `idleMs` is closed.
 *
 * A cached description is used only to call functions; it is dropped when the provider's
 * workspace broadcasts a service or client change (`service_added`/`_removed`/`_updated`,
 * `client_connected`/`_updated`/`_disconnected`), when it is older than `serviceTtlMs`, and with its
 * peer. `client_disconnected` in a caller workspace also closes that workspace's idle peers, so
 * they do not keep an otherwise empty workspace loaded.
 */
import { decodeFrameHeader } from '@hypha/rpc';
import type { UserInfo } from '@hypha/auth';
import type { HyphaCore } from '@hypha/workspace';
import { HttpCallerPeer } from './http-caller.js';

const CHANGE_EVENTS = new Set(['service_added', 'service_removed', 'service_updated', 'client_connected', 'client_updated', 'client_disconnected']);

export interface CallerPoolOptions {
  /** Seconds an HTTP call may take (the peers' method timeout). */
  methodTimeout: number;
  /** Idle time after which a peer is closed (default 10 s). */
  idleMs?: number;
  /** Age after which a cached service description is fetched again (default 10 s). */
  serviceTtlMs?: number;
  /** Idle peers beyond this count are closed oldest first (default 256). */
  maxIdle?: number;
}

interface CachedService {
  service: Record<string, unknown>;
  providerWorkspace: string;
  expires: number;
}

interface Pooled {
  key: string;
  workspace: string;
  opening: Promise<HttpCallerPeer>;
  peer: HttpCallerPeer | null;
  leases: number;
  idleTimer: NodeJS.Timeout | null;
  services: Map<string, CachedService>;
}

/** A peer lent to one request; `release()` once the request is done with it. */
export interface CallerLease {
  peer: HttpCallerPeer;
  /** A function-calling view of `fullServiceId` (`<ws>/<client>:<svc>`), cached per peer. */
  service(fullServiceId: string, timeoutSeconds: number): Promise<Record<string, unknown>>;
  release(): void;
}

export class HttpCallerPool {
  private readonly pooled = new Map<string, Pooled>();
  private readonly watches = new Map<string, () => void>();
  private readonly idleMs: number;
  private readonly serviceTtlMs: number;
  private readonly maxIdle: number;
  private closed = false;

  constructor(
    private readonly core: HyphaCore,
    private readonly o: CallerPoolOptions,
  ) {
    this.idleMs = o.idleMs ?? 10_000;
    this.serviceTtlMs = o.serviceTtlMs ?? 10_000;
    this.maxIdle = o.maxIdle ?? 256;
  }

  /** Peers currently pooled (open or opening). */
  get size(): number {
    return this.pooled.size;
  }

  async acquire(user: UserInfo, workspace: string): Promise<CallerLease> {
    if (this.closed) throw new Error('The HTTP caller pool is closed');
    const key = `${workspace}\n${JSON.stringify(user)}`;
    let entry = this.pooled.get(key);
    if (entry?.peer && !this.core.router.getLocal(entry.peer.id)?.isAttached) {
      // Detached by the server (workspace deleted, client kicked): never reuse it.
      this.drop(entry);
      entry = undefined;
    }
    if (!entry) entry = this.open(key, user, workspace);
    entry.leases++;
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = null;
    }
    let peer: HttpCallerPeer;
    try {
      peer = await entry.opening;
    } catch (err) {
      entry.leases--;
      throw err;
    }
    const pooled = entry;
    let released = false;
    return {
      peer,
      service: (id, timeout) => this.service(pooled, peer, id, timeout),
      release: () => {
        if (released) return;
        released = true;
        this.release(pooled);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.pooled.values()];
    for (const entry of entries) this.drop(entry);
    await Promise.all(entries.map((e) => e.opening.then((p) => p.close(), () => undefined)));
  }

  private open(key: string, user: UserInfo, workspace: string): Pooled {
    const entry: Pooled = { key, workspace, opening: HttpCallerPeer.open(this.core, user, workspace, this.o.methodTimeout), peer: null, leases: 0, idleTimer: null, services: new Map() };
    this.pooled.set(key, entry);
    this.watch(workspace);
    entry.opening.then(
      (peer) => {
        entry.peer = peer;
        if (this.pooled.get(key) !== entry) void this.closePeer(peer);
      },
      () => {
        if (this.pooled.get(key) === entry) this.pooled.delete(key);
        this.sweepWatches();
      },
    );
    return entry;
  }

  private async service(entry: Pooled, peer: HttpCallerPeer, fullServiceId: string, timeout: number): Promise<Record<string, unknown>> {
    const cached = entry.services.get(fullServiceId);
    if (cached && cached.expires > Date.now()) return cached.service;
    const service = (await peer.getService(fullServiceId, timeout)) as unknown as Record<string, unknown>;
    if (this.pooled.get(entry.key) === entry) {
      const providerWorkspace = fullServiceId.slice(0, fullServiceId.indexOf('/'));
      entry.services.set(fullServiceId, { service, providerWorkspace, expires: Date.now() + this.serviceTtlMs });
      this.watch(providerWorkspace);
    }
    return service;
  }

  private release(entry: Pooled): void {
    entry.leases--;
    if (entry.leases > 0) return;
    if (this.pooled.get(entry.key) !== entry) {
      if (entry.peer) void this.closePeer(entry.peer);
      return;
    }
    entry.idleTimer = setTimeout(() => this.drop(entry), this.idleMs);
    entry.idleTimer.unref();
    const idle = [...this.pooled.values()].filter((e) => e.leases === 0);
    // Map order is insertion order: the oldest peers go first.
    for (const e of idle.slice(0, Math.max(0, idle.length - this.maxIdle))) this.drop(e);
  }

  /** Removes `entry` from the pool; its peer closes once no request holds it. */
  private drop(entry: Pooled): void {
    if (this.pooled.get(entry.key) === entry) this.pooled.delete(entry.key);
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    entry.services.clear();
    this.sweepWatches();
    if (entry.leases === 0 && entry.peer) void this.closePeer(entry.peer);
  }

  private async closePeer(peer: HttpCallerPeer): Promise<void> {
    try {
      await peer.close();
    } catch (err) {
      this.core.router.onError(`failed to close HTTP caller peer ${peer.id}`, err);
    }
  }

  private onWorkspaceEvent(workspace: string, type: string): void {
    for (const entry of [...this.pooled.values()]) {
      for (const [id, cached] of entry.services) if (cached.providerWorkspace === workspace) entry.services.delete(id);
      if (type === 'client_disconnected' && entry.workspace === workspace && entry.leases === 0) this.drop(entry);
    }
    this.sweepWatches();
  }

  private watch(workspace: string): void {
    if (this.watches.has(workspace)) return;
    const off = this.core.bus.on(`${workspace}/*:msg`, (payload) => {
      if (!(payload instanceof Uint8Array)) return;
      const type = decodeFrameHeader(payload).header.type;
      if (typeof type === 'string' && CHANGE_EVENTS.has(type)) this.onWorkspaceEvent(workspace, type);
    });
    this.watches.set(workspace, off);
  }

  /** Unsubscribes from workspaces no pooled peer lives in and no cached description comes from. */
  private sweepWatches(): void {
    const needed = new Set<string>();
    for (const entry of this.pooled.values()) {
      needed.add(entry.workspace);
      for (const cached of entry.services.values()) needed.add(cached.providerWorkspace);
    }
    for (const [ws, off] of this.watches) {
      if (needed.has(ws)) continue;
      off();
      this.watches.delete(ws);
    }
  }
}
