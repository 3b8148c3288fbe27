/**
 * Removes the clients of dead servers (the reference's `check_and_cleanup_servers` and orphan
 * reaper, server-api §8.3). A client's presence record `clients:<ws>/<client>` names the server
 * holding it; a server whose liveness record expired is dead, and each of its clients loses its
 * service registrations (`client_disconnected` is broadcast in its workspace) and its presence.
 * A server is only declared dead when its record was missing on two passes at least
 * `confirmAfterMs` apart, so one slow heartbeat (a busy machine) does not cost it its clients.
 */
import type { KeyValueStore } from '@hypha/eventbus';
import { presenceKey } from '../routing/message-router.js';
import type { WorkspaceManager } from '../manager/workspace-manager.js';
import { serverAliveKey } from './cluster-keys.js';

export interface ReapedServer {
  serverId: string;
  /** `<ws>/<client>` ids whose records were removed. */
  clients: string[];
}

const PRESENCE_PATTERN = presenceKey('*');
const BATCH = 100;

async function inBatches<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(...(await Promise.all(items.slice(i, i + BATCH).map(fn))));
  return out;
}

export class OrphanReaper {
  /** Servers seen without a liveness record, and when that was first seen. */
  private readonly suspects = new Map<string, number>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly manager: WorkspaceManager,
    private readonly serverId: string,
    private readonly confirmAfterMs: number,
  ) {}

  /** One pass; returns the dead servers whose clients were removed. */
  async reap(now = Date.now()): Promise<ReapedServer[]> {
    const reaped: ReapedServer[] = [];
    const missing = new Set<string>();
    for (const [serverId, ids] of await this.presenceByServer()) {
      if (serverId === this.serverId) continue;
      if ((await this.kv.get(serverAliveKey(serverId))) !== null) continue;
      missing.add(serverId);
      const since = this.suspects.get(serverId);
      if (since === undefined) {
        this.suspects.set(serverId, now);
        continue;
      }
      if (now - since < this.confirmAfterMs) continue;
      const clients = await this.removeClients(ids, serverId);
      if (clients.length) reaped.push({ serverId, clients });
    }
    for (const serverId of this.suspects.keys()) if (!missing.has(serverId)) this.suspects.delete(serverId);
    return reaped;
  }

  /** Forgets every suspicion (this server's own view was stale, e.g. it was stalled itself). */
  forgetSuspects(): void {
    this.suspects.clear();
  }

  /**
   * Removes the records a previous process with this server's id left behind (a restart after a
   * crash): every client whose presence names this server but that is not in `live`.
   */
  async reapPreviousLife(live: ReadonlySet<string>): Promise<string[]> {
    const mine = (await this.presenceByServer()).get(this.serverId) ?? [];
    return this.removeClients(mine.filter((id) => !live.has(id)), this.serverId);
  }

  private async presenceByServer(): Promise<Map<string, string[]>> {
    const keys = await this.kv.scan(PRESENCE_PATTERN);
    const prefixLength = PRESENCE_PATTERN.length - 1;
    const owners = await inBatches(keys, async (key) => ({ id: key.slice(prefixLength), owner: await this.kv.get(key) }));
    const byServer = new Map<string, string[]>();
    for (const { id, owner } of owners) {
      if (owner === null) continue;
      const list = byServer.get(owner) ?? [];
      list.push(id);
      byServer.set(owner, list);
    }
    return byServer;
  }

  private async removeClients(ids: string[], deadServer: string): Promise<string[]> {
    const removed: string[] = [];
    for (const id of ids) if (await this.removeClient(id, deadServer)) removed.push(id);
    return removed;
  }

  private async removeClient(id: string, deadServer: string): Promise<boolean> {
    // The client may have reconnected to a live server since the scan.
    if ((await this.kv.get(presenceKey(id))) !== deadServer) return false;
    await this.kv.del(presenceKey(id));
    const slash = id.indexOf('/');
    const workspace = id.slice(0, slash);
    const clientId = id.slice(slash + 1);
    if (workspace === '*') {
      // A server's own manager peer: its registrations go silently, nobody subscribes to `*`.
      const keys = await this.manager.registry.clientKeys('*', clientId);
      await this.manager.registry.delete(...keys.filter((k) => this.manager.registry.parse(k).workspace === '*'));
    } else {
      await this.manager.deleteClient(workspace, clientId);
    }
    return true;
  }
}
