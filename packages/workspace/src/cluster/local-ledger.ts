/**
 * What this instance knows about its own clients, kept in memory so it can be written back when
 * the backend lost it (Redis restarted without persistence): the service registrations of local
 * clients and the workspace records this instance read or wrote.
 */
import type { RegistryObserver } from '../registry/service-registry.js';
import type { ServiceInfo } from '../registry/service-info.js';
import { parseServiceKey } from '../registry/service-key.js';
import type { WorkspaceInfo } from '../workspaces/workspace-info.js';
import type { WorkspaceObserver } from '../workspaces/workspace-store.js';

export interface LedgerService {
  key: string;
  /** `<ws>/<client>` of the registering client. */
  owner: string;
  info: ServiceInfo;
}

export class LocalLedger {
  private readonly services = new Map<string, LedgerService>();
  private readonly workspaces = new Map<string, WorkspaceInfo>();

  /** @param isLocal whether `<ws>/<client>` is attached to this instance. */
  constructor(private readonly isLocal: (id: string) => boolean) {}

  readonly registryObserver: RegistryObserver = {
    stored: (key, info) => {
      const p = parseServiceKey(key);
      const owner = `${p.workspace}/${p.clientId}`;
      if (this.isLocal(owner)) this.services.set(key, { key, owner, info: structuredClone(info) });
    },
    deleted: (keys) => {
      for (const key of keys) this.services.delete(key);
    },
  };

  readonly workspaceObserver: WorkspaceObserver = {
    seen: (info) => {
      this.workspaces.set(info.id, structuredClone(info));
    },
    deleted: (id) => {
      this.workspaces.delete(id);
    },
  };

  get serviceCount(): number {
    return this.services.size;
  }

  /** Registrations of clients in `live`; entries of clients that are gone are dropped. */
  servicesOf(live: ReadonlySet<string>): LedgerService[] {
    const out: LedgerService[] = [];
    for (const [key, entry] of this.services) {
      if (live.has(entry.owner)) out.push(entry);
      else this.services.delete(key);
    }
    return out;
  }

  workspace(id: string): WorkspaceInfo | undefined {
    return this.workspaces.get(id);
  }
}
