/**
 * This instance's membership in a cluster of servers sharing one Redis:
 * - a liveness record `hypha:server:<sid>` (TTL) refreshed every heartbeat;
 * - the leader lease `hypha:leader`; the leader runs the {@link OrphanReaper} every heartbeat, so a
 *   killed server's clients disappear within about `serverTtlMs + 2 × heartbeatIntervalMs`
 *   (longer when the dead server was the leader: its lease must lapse first). A node whose own
 *   heartbeat came late (it was stalled, likely like everybody else) skips reaping for that tick;
 * - re-announcement of local state (workspace records, presence records, service registrations of
 *   live local clients) after the bus reconnected, and whenever this server finds its own liveness
 *   record lapsed (it may have been reaped while stalled or cut off).
 */
import type { EventBus, Unsubscribe } from '@hypha/eventbus';
import type { WorkspaceManager } from '../manager/workspace-manager.js';
import type { ServiceRegistry } from '../registry/service-registry.js';
import type { MessageRouter } from '../routing/message-router.js';
import { PROTECTED_WORKSPACES } from '../workspaces/workspace-info.js';
import type { WorkspaceStore } from '../workspaces/workspace-store.js';
import { serverAliveKey } from './cluster-keys.js';
import { resolveClusterOptions } from './cluster-options.js';
import type { ClusterOptions, ResolvedClusterOptions } from './cluster-options.js';
import { LeaderLease } from './leader-lease.js';
import { LocalLedger } from './local-ledger.js';
import { OrphanReaper } from './orphan-reaper.js';

export interface ClusterNodeOptions extends ClusterOptions {
  bus: EventBus;
  router: MessageRouter;
  registry: ServiceRegistry;
  workspaces: WorkspaceStore;
  manager: WorkspaceManager;
  serverId: string;
}

export interface ReannounceResult {
  workspaces: number;
  presence: number;
  services: number;
}

export class ClusterNode {
  readonly serverId: string;
  readonly options: ResolvedClusterOptions;
  readonly ledger: LocalLedger;
  private readonly bus: EventBus;
  private readonly router: MessageRouter;
  private readonly registry: ServiceRegistry;
  private readonly workspaces: WorkspaceStore;
  private readonly lease: LeaderLease;
  private readonly reaper: OrphanReaper;
  private readonly managerId: string;
  private readonly log: NonNullable<ClusterOptions['log']>;
  private readonly unsubscribers: Unsubscribe[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Serialises ticks and re-announcements. */
  private chain: Promise<void> = Promise.resolve();
  private tickQueued = false;
  private lastTickAt: number | null = null;
  private leader = false;
  private failing = false;
  private started = false;
  private stopped = false;

  constructor(o: ClusterNodeOptions) {
    this.serverId = o.serverId;
    this.options = resolveClusterOptions(o);
    this.bus = o.bus;
    this.router = o.router;
    this.registry = o.registry;
    this.workspaces = o.workspaces;
    this.managerId = o.manager.managerId;
    this.log = o.log ?? ((level, msg, extra) => console.error(JSON.stringify({ level, msg, ...(extra ?? {}) })));
    this.lease = new LeaderLease(o.bus, o.serverId, this.options.leaderTtlMs);
    this.reaper = new OrphanReaper(o.bus, o.manager, o.serverId, this.options.heartbeatIntervalMs);
    this.ledger = new LocalLedger((id) => this.router.getLocal(id) !== undefined);
    this.unsubscribers.push(this.registry.observe(this.ledger.registryObserver));
    this.unsubscribers.push(this.workspaces.observe(this.ledger.workspaceObserver));
  }

  /** Whether this server held the leader lease at its last heartbeat. */
  get isLeader(): boolean {
    return this.leader;
  }

  /**
   * Writes the liveness record, removes what a previous process with this server id left behind,
   * takes part in the leader election and starts the heartbeat. A liveness record held by another
   * process is waited out (a crashed one lets it lapse); a live server with the same id keeps it
   * fresh, and then starting fails like in the reference.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('ClusterNode already started');
    this.started = true;
    await this.claimServerId();
    const stale = await this.reaper.reapPreviousLife(new Set(this.router.localIds()));
    if (stale.length) {
      this.log('warn', 'removed clients left by a previous process with this server id', { server_id: this.serverId, clients: stale });
      await this.router.announceGone(stale);
    }
    this.unsubscribers.push(this.bus.onReconnect(() => this.enqueue(() => this.afterReconnect())));
    await this.enqueue(() => this.tick(false));
    this.timer = setInterval(() => {
      if (this.tickQueued) return;
      this.tickQueued = true;
      void this.enqueue(() => {
        this.tickQueued = false;
        return this.tick(true);
      });
    }, this.options.heartbeatIntervalMs);
    this.timer.unref?.();
  }

  /**
   * Claims the liveness record. A record that changes between two reads a heartbeat apart belongs to
   * a live server (refuse at once); one that stays the same is waited out until it lapses.
   */
  private async claimServerId(): Promise<void> {
    const key = serverAliveKey(this.serverId);
    const { serverTtlMs, heartbeatIntervalMs } = this.options;
    const deadline = Date.now() + serverTtlMs + heartbeatIntervalMs;
    const refuse = () =>
      new Error(`Another live server already uses the server id ${this.serverId} (its liveness record ${key} keeps being refreshed); choose another --server-id`);
    let previous: string | null | undefined;
    for (;;) {
      if (await this.bus.set(key, this.aliveValue(), { ttlMs: serverTtlMs, onlyIfAbsent: true })) return;
      const current = await this.bus.get(key);
      if (previous !== undefined && previous !== null && current !== null && current !== previous) throw refuse();
      if (Date.now() >= deadline) throw refuse();
      previous = current;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(heartbeatIntervalMs * 1.2)));
    }
  }

  /** Stops the heartbeat, gives up the lease and removes the liveness record. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribers.splice(0)) off();
    await this.chain;
    if (!this.started) return;
    await this.lease.release();
    // The manager peer's own registrations (the reference's teardown removes them too).
    const own = await this.registry.clientKeys('*', this.managerId);
    await this.registry.delete(...own.filter((k) => this.registry.parse(k).workspace === '*'));
    await this.bus.del(serverAliveKey(this.serverId));
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.chain.then(step);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private aliveValue(): string {
    return JSON.stringify({ server_id: this.serverId, pid: process.pid, heartbeat_ms: this.options.heartbeatIntervalMs, at: Date.now() });
  }

  /** One heartbeat; failures are reported once per streak and retried on the next tick. */
  private async tick(checkLapse: boolean): Promise<void> {
    if (this.stopped) return;
    try {
      const key = serverAliveKey(this.serverId);
      const ttl = { ttlMs: this.options.serverTtlMs };
      const lapsed = await this.bus.set(key, this.aliveValue(), { ...ttl, onlyIfAbsent: true });
      if (!lapsed) await this.bus.set(key, this.aliveValue(), ttl);
      else if (checkLapse) {
        this.log('warn', 'cluster liveness record had lapsed; re-announcing local state', { server_id: this.serverId });
        await this.reannounce();
      }
      const now = Date.now();
      // Two intervals without a tick: this process was stalled, so its view of the others is stale.
      const timely = !lapsed && this.lastTickAt !== null && now - this.lastTickAt <= 2 * this.options.heartbeatIntervalMs;
      this.lastTickAt = now;
      this.leader = await this.lease.acquireOrRenew();
      if (timely && this.leader) {
        for (const dead of await this.reaper.reap()) {
          this.log('warn', 'removed the clients of a dead server', { server_id: this.serverId, dead_server: dead.serverId, clients: dead.clients });
          await this.router.announceGone(dead.clients);
        }
      } else {
        // Suspicions must come from consecutive, timely passes of the current leader.
        this.reaper.forgetSuspects();
      }
      if (this.failing) this.log('warn', 'cluster heartbeat recovered', { server_id: this.serverId });
      this.failing = false;
    } catch (err) {
      this.leader = false;
      if (!this.failing) {
        this.log('error', 'cluster heartbeat failed; retrying every interval', {
          server_id: this.serverId,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      this.failing = true;
    }
  }

  private async afterReconnect(): Promise<void> {
    const result = await this.reannounce();
    this.log('warn', 'event bus reconnected; local state re-announced', { server_id: this.serverId, ...result });
  }

  /**
   * Liveness first (so no reaper takes the presence records written next for orphans), then the
   * workspace records of local clients, their presence records and their service registrations.
   */
  private async reannounce(): Promise<ReannounceResult> {
    await this.bus.set(serverAliveKey(this.serverId), this.aliveValue(), { ttlMs: this.options.serverTtlMs });
    const live = new Set(this.router.localIds());
    const workspaceIds = new Set<string>(PROTECTED_WORKSPACES);
    for (const id of live) {
      const ws = id.slice(0, id.indexOf('/'));
      if (ws !== '*') workspaceIds.add(ws);
    }
    let workspaces = 0;
    for (const id of workspaceIds) {
      const known = this.ledger.workspace(id);
      if (!known || (await this.workspaces.get(id)) !== null) continue;
      await this.workspaces.put(known);
      workspaces++;
    }
    const presence = await this.router.republishPresence();
    const entries = this.ledger.servicesOf(live);
    for (const entry of entries) await this.registry.put(entry.info);
    return { workspaces, presence, services: entries.length };
  }
}
