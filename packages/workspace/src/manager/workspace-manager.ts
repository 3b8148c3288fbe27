/**
 * The workspace manager's state and the operations its methods share (server-api §1,
 * rpc-protocol §8.9): broadcasting events, removing departed clients, unloading idle temporary
 * workspaces, bookmarks. The methods of its `default` service are declared by area under
 * `methods/` and assembled in `manager-service.ts`.
 */
import type { EventBus } from '@hypha/eventbus';
import { checkPermission, getUserWorkspace } from '@hypha/auth';
import type { AuthService, UserInfo } from '@hypha/auth';
import { NotFoundError } from '@hypha/service';
import type { MessageRouter } from '../routing/message-router.js';
import type { ServiceRegistry } from '../registry/service-registry.js';
import type { ServiceInfo } from '../registry/service-info.js';
import type { ServiceSearch } from './service-search.js';
import { PROTECTED_WORKSPACES, newWorkspaceInfo } from '../workspaces/workspace-info.js';
import type { WorkspaceInfo } from '../workspaces/workspace-info.js';
import type { WorkspaceStore } from '../workspaces/workspace-store.js';
import type { CallContext } from './context.js';
import { EventLog } from './event-log.js';

/** What the manager needs from its RPC peer. */
export interface PeerCaller {
  getRemoteService(id: string, config?: { timeout?: number; case_conversion?: string | null }): Promise<any>;
  getManagerService(context: CallContext): unknown;
}

/**
 * Optional hook for server apps (`@hypha/apps`): starting an installed app on demand when
 * `get_service("<svc>@<app>")` finds nothing running, and answering from app manifests.
 */
export interface AppServiceLauncher {
  /** Starts the app; resolves to the running service's full id, or null when there is no such app. */
  lazyStart(workspace: string, serviceName: string, appId: string): Promise<string | null>;
  /** Service infos listed in the manifests of the workspace's installed apps. */
  appServices(workspace: string): Promise<Array<Record<string, unknown>>>;
  /** A workspace was loaded (created, or re-created after a restart): daemon apps start. Must not throw. */
  prepareWorkspace?(workspace: string): Promise<void>;
}

export interface ServerInfo {
  server_id: string;
  hypha_version: string;
  public_base_url: string;
  local_base_url: string;
  [key: string]: unknown;
}

export interface WorkspaceManagerOptions {
  bus: EventBus;
  router: MessageRouter;
  registry: ServiceRegistry;
  workspaces: WorkspaceStore;
  auth: AuthService;
  serverInfo: ServerInfo;
  managerId: string;
  maxServicesPerClient?: number;
  maxWorkspacesPerUser?: number;
  /** Delay before an empty temporary workspace is removed (ms, default 0). */
  unloadGracePeriodMs?: number;
}

export class WorkspaceManager {
  readonly bus: EventBus;
  readonly router: MessageRouter;
  readonly registry: ServiceRegistry;
  readonly workspaces: WorkspaceStore;
  readonly auth: AuthService;
  readonly serverInfo: ServerInfo;
  readonly managerId: string;
  readonly maxServicesPerClient: number;
  readonly maxWorkspacesPerUser: number;
  private readonly unloadGracePeriodMs: number;
  /** The log behind `log`, `log_event`, `get_events` and `get_event_stats`. */
  readonly events = new EventLog();
  private readonly pendingUnloads = new Map<string, ReturnType<typeof setTimeout>>();
  private peer: PeerCaller | null = null;

  constructor(o: WorkspaceManagerOptions) {
    this.bus = o.bus;
    this.router = o.router;
    this.registry = o.registry;
    this.workspaces = o.workspaces;
    this.auth = o.auth;
    this.serverInfo = o.serverInfo;
    this.managerId = o.managerId;
    this.maxServicesPerClient = o.maxServicesPerClient ?? 1000;
    this.maxWorkspacesPerUser = o.maxWorkspacesPerUser ?? 100;
    this.unloadGracePeriodMs = o.unloadGracePeriodMs ?? 0;
  }

  /** The server-apps hook, when server apps run. */
  appLauncher: AppServiceLauncher | null = null;

  /** The index behind `search_services` (`--enable-service-search`); null: search is disabled. */
  serviceSearch: ServiceSearch | null = null;

  setServiceSearch(search: ServiceSearch | null): void {
    this.serviceSearch = search;
  }

  /** Installs the server-apps hook (lazy start, manifest services). */
  setAppLauncher(launcher: AppServiceLauncher | null): void {
    this.appLauncher = launcher;
  }

  /** Tells the server-apps hook that `ws` was loaded; its work runs in the background. */
  workspaceLoaded(ws: string): void {
    const prepare = this.appLauncher?.prepareWorkspace;
    if (!prepare) return;
    prepare.call(this.appLauncher, ws).catch((err: unknown) => this.router.onError(`failed to prepare workspace ${ws}`, err));
  }

  setPeer(peer: PeerCaller): void {
    this.peer = peer;
  }

  requirePeer(): PeerCaller {
    if (!this.peer) throw new Error('Workspace manager RPC peer is not attached');
    return this.peer;
  }

  /** The stored info of the manager's own service (`get_service_info("~")`). */
  managerServiceInfo(): ServiceInfo {
    return {
      id: '~',
      name: 'Default workspace management service',
      type: 'generic',
      description: 'Services for managing workspace.',
      docs: null,
      app_id: '*',
      service_schema: null,
      config: { require_context: true, visibility: 'public', ...this.serverInfo },
    };
  }

  async broadcast(workspace: string, type: string, data: unknown): Promise<void> {
    this.bus.emitLocal(type, { workspace, data });
    await this.router.broadcastSystem(workspace, type, data);
  }

  /** Ids `<ws>/<cid>` of clients with a `built-in` registration in `workspace`. */
  async listClientIds(workspace: string): Promise<string[]> {
    const keys = await this.registry.find({ workspace, serviceId: 'built-in' });
    return [...new Set(keys.map((k) => { const p = this.registry.parse(k); return `${p.workspace}/${p.clientId}`; }))];
  }

  /** Calls `<id>:built-in.ping("ping")`; never throws. */
  async pingClient(full: string, timeoutSeconds: number): Promise<string> {
    try {
      const svc = await withTimeout(
        this.requirePeer().getRemoteService(`${full}:built-in`, { timeout: timeoutSeconds }),
        timeoutSeconds * 1000,
      );
      const result = await withTimeout(svc.ping('ping'), timeoutSeconds * 1000);
      return result === 'pong' ? 'pong' : `Failed to ping client ${full}: unexpected reply ${JSON.stringify(result)}`;
    } catch (err) {
      return `Failed to ping client ${full}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /**
   * Removes a departed client's services: `service_removed` for each, then `client_disconnected`
   * (bare client id, like the reference's disconnect cleanup); then unloads the workspace when it
   * is empty and temporary.
   */
  async deleteClient(workspace: string, clientId: string): Promise<void> {
    const keys = await this.registry.clientKeys(workspace, clientId);
    const removed: ServiceInfo[] = [];
    for (const key of keys) {
      const info = await this.registry.get(key);
      if (info && !info.id.endsWith(':built-in')) removed.push(info);
    }
    if (keys.length) await this.registry.delete(...keys);
    for (const info of removed) await this.broadcast(workspace, 'service_removed', info);
    await this.broadcast(workspace, 'client_disconnected', { id: clientId, workspace });
    this.scheduleUnloadIfEmpty(workspace);
  }

  cancelPendingUnload(ws: string): void {
    const t = this.pendingUnloads.get(ws);
    if (t) clearTimeout(t);
    this.pendingUnloads.delete(ws);
  }

  private scheduleUnloadIfEmpty(ws: string): void {
    this.cancelPendingUnload(ws);
    const run = () => {
      this.pendingUnloads.delete(ws);
      this.unloadIfEmpty(ws).catch((err) => this.router.onError(`failed to unload workspace ${ws}`, err));
    };
    if (this.unloadGracePeriodMs > 0) this.pendingUnloads.set(ws, setTimeout(run, this.unloadGracePeriodMs));
    else run();
  }

  /** Deletes an empty, temporary, unprotected workspace. Returns whether it was removed. */
  async unloadIfEmpty(ws: string): Promise<boolean> {
    if ((PROTECTED_WORKSPACES as readonly string[]).includes(ws)) return false;
    if ((await this.listClientIds(ws)).length > 0) return false;
    if (this.router.localClients(ws).length > 0) return false;
    const info = await this.workspaces.get(ws);
    if (!info || info.persistent) return false;
    const keys = await this.registry.find({ workspace: ws });
    if (keys.length) await this.registry.delete(...keys);
    await this.workspaces.delete(ws);
    this.events.dropWorkspace(ws);
    await this.broadcast(ws, 'workspace_unloaded', info);
    return true;
  }

  /** Removes idle temporary workspaces (no clients); returns their ids. */
  async cleanupIdleWorkspaces(): Promise<string[]> {
    const removed: string[] = [];
    for (const info of await this.workspaces.list()) {
      if (!info.persistent && (await this.unloadIfEmpty(info.id))) removed.push(info.id);
    }
    return removed;
  }

  /**
   * Loads a workspace, creating `public` and the user's personal workspace on demand
   * (reference `load_or_create_workspace`).
   */
  async loadOrCreateWorkspace(user: UserInfo, ws: string): Promise<WorkspaceInfo> {
    const existing = await this.workspaces.get(ws);
    if (existing) return existing;
    if (ws === 'public') {
      const info = newWorkspaceInfo({ id: 'public', persistent: true, read_only: true, owners: ['root'], description: 'Public workspace' });
      await this.workspaces.put(info);
      return info;
    }
    const owner = personalWorkspaceOwner(user, ws);
    if (owner !== null) {
      const info = newWorkspaceInfo({
        id: ws,
        persistent: !user.is_anonymous,
        read_only: user.is_anonymous,
        owners: [owner],
        description: `Workspace for user ${owner}`,
      });
      await this.workspaces.put(info);
      this.workspaceLoaded(ws);
      return info;
    }
    throw new NotFoundError(`Workspace ${ws} does not exist or is not accessible`);
  }

  /** Adds (or replaces, by id) a bookmark in the user's personal workspace. */
  async addBookmark(user: UserInfo, item: Record<string, unknown>): Promise<void> {
    const ws = getUserWorkspace(user);
    const info = (await this.workspaces.get(ws)) ?? (await this.loadOrCreateWorkspace(user, ws));
    const bookmarks = (info.config.bookmarks ?? []).filter((b: any) => b?.id !== item.id);
    bookmarks.push(item);
    info.config = { ...info.config, bookmarks };
    await this.workspaces.put(info);
  }

  async removeBookmark(user: UserInfo, id: string): Promise<void> {
    const info = await this.workspaces.get(getUserWorkspace(user));
    if (!info) return;
    info.config = { ...info.config, bookmarks: (info.config.bookmarks ?? []).filter((b: any) => b?.id !== id) };
    await this.workspaces.put(info);
  }
}

/** `p`, or a rejection after `ms` milliseconds. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Whose personal workspace `ws` is, when `user` may create it: the user's own, or the one of the
 * user behind a child token (generate_token) that grants access to it. An anonymous user's
 * workspace is gone once its last client left, and a token minted there must still connect again.
 */
function personalWorkspaceOwner(user: UserInfo, ws: string): string | null {
  if (ws === getUserWorkspace(user)) return user.id;
  if (user.parent && ws === getUserWorkspace({ id: user.parent }) && checkPermission(user, ws, 'r')) return user.parent;
  return null;
}
