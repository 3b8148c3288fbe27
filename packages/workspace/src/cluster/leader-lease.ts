/**
 * The leader lease `hypha:leader` (value = server id, set `NX` with a TTL and renewed by its
 * holder). Renewal is read-then-write, so a lease that expires between the two can briefly have
 * two holders; everything the leader does is idempotent, which makes that harmless.
 */
import type { KeyValueStore } from '@hypha/eventbus';
import { LEADER_KEY } from './cluster-keys.js';

export class LeaderLease {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly serverId: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lease when it is free, renews it when held; returns whether this server holds it. */
  async acquireOrRenew(): Promise<boolean> {
    const holder = await this.kv.get(LEADER_KEY);
    if (holder === null) return this.kv.set(LEADER_KEY, this.serverId, { ttlMs: this.ttlMs, onlyIfAbsent: true });
    if (holder !== this.serverId) return false;
    await this.kv.set(LEADER_KEY, this.serverId, { ttlMs: this.ttlMs });
    return true;
  }

  /** Gives the lease up if this server holds it. */
  async release(): Promise<void> {
    if ((await this.kv.get(LEADER_KEY)) === this.serverId) await this.kv.del(LEADER_KEY);
  }

  holder(): Promise<string | null> {
    return this.kv.get(LEADER_KEY);
  }
}
