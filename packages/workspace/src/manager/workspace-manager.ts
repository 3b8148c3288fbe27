/**
 * The workspace manager: the methods of the `default` service of `*\/manager-<sid>`
 * (server-api §1, rpc-protocol §8.9). Each method takes the caller's injected context; permission
 * checks use `context.user` and `context.ws` like the reference.
 */
import type { EventBus } from '@hypha/eventbus';
import { checkPermission, getPermission, getUserWorkspace } from '@hypha/auth';
import type { AuthService, TokenConfig, UserInfo } from '@hypha/auth';
import { InvalidInputError, NotFoundError, PermissionDeniedError } from '../errors.js';
import type { MessageRouter } from '../routing/message-router.js';
import { splitFullServiceId } from '../registry/service-registry.js';
import type { ServiceRegistry } from '../registry/service-registry.js';
import { VISIBILITIES } from '../registry/service-info.js';
import type { ServiceInfo } from '../registry/service-info.js';
import { PROTECTED_WORKSPACES, newWorkspaceInfo, ownedBy, validateWorkspaceId } from '../workspaces/workspace-info.js';
import type { WorkspaceInfo } from '../workspaces/workspace-info.js';
import type { WorkspaceStore } from '../workspaces/workspace-store.js';
import { callerClientId, callerFullId, requireContext } from './context.js';
import type { CallContext } from './context.js';
import { EventLog } from './event-log.js';
import { isManagerServiceId, normaliseListQuery, resolveServiceId, validateKeyPart, validateServiceName } from './service-query.js';
import { toCaseConverted } from './case-conversion.js';
import { rebindRemoteFunctions } from './relayed-functions.js';

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

const SYSTEM_EVENTS = new Set([
  'service_added',
  'service_removed',
  'service_updated',
  'client_connected',
  'client_disconnected',
  'client_updated',
  'workspace_loaded',
  'workspace_deleted',
  'workspace_changed',
  'workspace_ready',
  'workspace_unloaded',
  'workspace_status_changed',
]);

export class WorkspaceManager {
  private readonly bus: EventBus;
  private readonly router: MessageRouter;
  readonly registry: ServiceRegistry;
  readonly workspaces: WorkspaceStore;
  private readonly auth: AuthService;
  readonly serverInfo: ServerInfo;
  readonly managerId: string;
  private readonly maxServicesPerClient: number;
  private readonly maxWorkspacesPerUser: number;
  private readonly unloadGracePeriodMs: number;
  private readonly events = new EventLog();
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

  private appLauncher: AppServiceLauncher | null = null;

  /** Installs the server-apps hook (lazy start, manifest services). */
  setAppLauncher(launcher: AppServiceLauncher | null): void {
    this.appLauncher = launcher;
  }

  setPeer(peer: PeerCaller): void {
    this.peer = peer;
  }

  private requirePeer(): PeerCaller {
    if (!this.peer) throw new Error('Workspace manager RPC peer is not attached');
    return this.peer;
  }

  private validate(context: unknown, permission: 'r' | 'rw' | 'a'): CallContext {
    const ctx = requireContext(context);
    if (!checkPermission(ctx.user, ctx.ws, permission)) {
      throw new PermissionDeniedError(`Permission denied for workspace ${ctx.ws}`);
    }
    return ctx;
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

  // ---------------------------------------------------------------- events

  async broadcast(workspace: string, type: string, data: unknown): Promise<void> {
    this.bus.emitLocal(type, { workspace, data });
    await this.router.broadcastSystem(workspace, type, data);
  }

  // ---------------------------------------------------------------- misc

  async echo(data: unknown, context: unknown): Promise<unknown> {
    this.validate(context, 'rw');
    return data;
  }

  async log(msg: unknown, context: unknown): Promise<void> {
    const ctx = this.validate(context, 'rw');
    this.events.add(ctx.ws, ctx.user.id, 'log', { msg });
  }

  async log_event(event_type: unknown, data: unknown, context: unknown): Promise<void> {
    const ctx = this.validate(context, 'rw');
    if (typeof event_type !== 'string' || event_type.length === 0 || /\s/.test(event_type)) {
      throw new InvalidInputError('Event type must be a non-empty string without spaces');
    }
    this.events.add(ctx.ws, ctx.user.id, event_type, data);
  }

  async get_events(event_type: unknown, start_time: unknown, end_time: unknown, context: unknown) {
    const ctx = this.validate(context, 'r');
    return this.events.query(ctx.ws, ctx.user.id, event_type as string, start_time as string, end_time as string);
  }

  async get_event_stats(event_type: unknown, start_time: unknown, end_time: unknown, context: unknown) {
    const ctx = this.validate(context, 'r');
    const counts = new Map<string, number>();
    for (const e of this.events.query(ctx.ws, ctx.user.id, event_type as string, start_time as string, end_time as string)) {
      counts.set(e.event_type, (counts.get(e.event_type) ?? 0) + 1);
    }
    return [...counts].map(([t, count]) => ({ event_type: t, count }));
  }

  // ---------------------------------------------------------------- subscriptions

  private validateEventSubscription(eventType: string, workspace: string): void {
    if (typeof eventType !== 'string' || eventType.length === 0) {
      throw new InvalidInputError('Event type must be a non-empty string');
    }
    if (SYSTEM_EVENTS.has(eventType)) return;
    if (eventType.includes('/')) {
      const ews = eventType.split('/')[0];
      if (ews !== workspace) {
        throw new InvalidInputError(
          `Subscription to event '${eventType}' is forbidden. Event workspace '${ews}' does not match your workspace '${workspace}'.`,
        );
      }
      return;
    }
    if (eventType.startsWith('ws-') && eventType !== workspace && !eventType.startsWith(`${workspace}/`)) {
      throw new InvalidInputError(
        `Subscription to event '${eventType}' is forbidden as it contains workspace identifiers. Clients can only subscribe to events within their own workspace (${workspace}) or system events.`,
      );
    }
    if (eventType.includes(':')) {
      const first = eventType.split(':')[0]!;
      if (first.startsWith('ws-') && first !== workspace) {
        throw new InvalidInputError(
          `Subscription to event '${eventType}' is forbidden. Workspace '${first}' does not match your workspace '${workspace}'.`,
        );
      }
    }
  }

  private callerHandle(ctx: CallContext) {
    const id = callerFullId(ctx);
    const handle = this.router.getLocal(id);
    if (!handle) throw new Error(`Connection not found for client ${id}`);
    return handle;
  }

  async subscribe(event_type: unknown, context: unknown): Promise<boolean> {
    const ctx = requireContext(context);
    const handle = this.callerHandle(ctx);
    const types = Array.isArray(event_type) ? event_type : [event_type];
    for (const t of types) this.validateEventSubscription(t as string, ctx.ws);
    handle.subscribe(types as string[]);
    return true;
  }

  async unsubscribe(event_type: unknown, context: unknown): Promise<boolean> {
    const ctx = requireContext(context);
    const handle = this.callerHandle(ctx);
    handle.unsubscribe((Array.isArray(event_type) ? event_type : [event_type]) as string[]);
    return true;
  }

  // ---------------------------------------------------------------- services

  async register_service(service: unknown, config: unknown, context: unknown): Promise<null> {
    const ctx = this.validate(context, 'rw');
    const ws = ctx.ws;
    const clientFull = callerFullId(ctx);
    if (!service || typeof service !== 'object') throw new InvalidInputError('Service info must be a map');
    const s = service as Record<string, any>;
    const info: ServiceInfo = {
      id: String(s.id ?? ''),
      name: s.name ?? null,
      type: s.type || 'generic',
      description: s.description ?? null,
      docs: s.docs ?? null,
      app_id: s.app_id || '*',
      service_schema: s.service_schema ?? null,
      config: { ...(s.config ?? {}) },
    };
    if (typeof info.description === 'string' && info.description.length > 1024) {
      throw new InvalidInputError('Service description must be at most 1024 characters');
    }
    info.config.workspace = ws;
    if (!info.id.includes('/')) info.id = `${ws}/${info.id}`;
    if (!info.id.includes(':')) throw new InvalidInputError("Service id info must contain ':'");
    const idWs = info.id.split('/')[0];
    if (idWs !== ws) {
      throw new PermissionDeniedError(
        `Service ID workspace prefix '${idWs}' does not match the current workspace '${ws}'. Cannot register services in other workspaces.`,
      );
    }
    const parts = splitFullServiceId(info.id);
    if (parts.clientId !== callerClientId(ctx)) {
      throw new PermissionDeniedError(
        `Permission denied: client ${clientFull} cannot register a service for client ${parts.workspace}/${parts.clientId}`,
      );
    }
    const serviceName = parts.serviceId;
    if (info.config._local_only || serviceName.startsWith('_rintf_')) return null;
    const visibility = info.config.visibility ?? 'protected';
    if (!VISIBILITIES.includes(visibility)) {
      throw new InvalidInputError(`Invalid visibility: ${String(visibility)} (expected protected, public or unlisted)`);
    }
    info.config.visibility = visibility;
    validateServiceName(serviceName);
    if (info.app_id.includes('/')) throw new InvalidInputError("App id info must not contain '/'");
    validateKeyPart(info.app_id, 'app id');
    if (!/^[a-zA-Z0-9_.*-]+$/.test(info.app_id)) throw new InvalidInputError(`Invalid app id: ${JSON.stringify(info.app_id)}`);
    validateKeyPart(info.type, 'service type');
    const isBuiltin = serviceName === 'built-in';
    if (!isBuiltin) {
      const count = (await this.registry.clientKeys(ws, parts.clientId)).filter((k) => !k.includes(':built-in@')).length;
      if (count >= this.maxServicesPerClient) {
        throw new Error(
          `Service quota exceeded: client ${clientFull} already has ${count} services (max ${this.maxServicesPerClient}). Remove unused services before registering new ones.`,
        );
      }
    }
    info.name = info.name || serviceName;
    info.config.created_by = isBuiltin && info.type === 'built-in' ? { ...ctx.user } : { id: ctx.user.id };
    if (info.config.authorized_workspaces != null) {
      if (visibility !== 'protected') {
        throw new InvalidInputError(
          `authorized_workspaces can only be set when visibility is 'protected', got visibility='${visibility}'`,
        );
      }
      if (!Array.isArray(info.config.authorized_workspaces) || info.config.authorized_workspaces.some((w) => typeof w !== 'string')) {
        throw new InvalidInputError('authorized_workspaces must be a list of workspace names');
      }
    }
    const peerKeys = await this.registry.find({ workspace: ws, serviceId: serviceName });
    for (const key of peerKeys) {
      const peer = await this.registry.get(key);
      if (!peer) continue;
      const sameId = peer.id === info.id && peer.app_id === info.app_id;
      if ((peer.config.singleton || info.config.singleton) && !sameId) {
        throw new InvalidInputError(
          `A singleton service with the same name (${serviceName}) already exists in the workspace (${ws}), please remove it first or use a different name.`,
        );
      }
    }
    if (!isBuiltin && !['ws-user-root', 'public'].includes(ws)) {
      const builtins = await this.registry.find({ workspace: ws, clientId: parts.clientId, serviceId: 'built-in' });
      if (builtins.length === 0) return null;
    }
    const existing = await this.registry.find({ workspace: ws, clientId: parts.clientId, serviceId: serviceName });
    if (existing.length) await this.registry.delete(...existing);
    const stored: ServiceInfo = { ...info, id: `${ws}/${parts.clientId}:${serviceName}` };
    await this.registry.put(stored);
    if (isBuiltin) {
      this.cancelPendingUnload(ws);
      await this.broadcast(ws, existing.length ? 'client_updated' : 'client_connected', { id: clientFull, workspace: ws });
    } else {
      if (existing.length) await this.broadcast(ws, 'service_removed', stored);
      await this.broadcast(ws, 'service_added', stored);
    }
    return null;
  }

  async unregister_service(service_id: unknown, context: unknown): Promise<null> {
    const ctx = this.validate(context, 'rw');
    const ws = ctx.ws;
    if (typeof service_id !== 'string' || !service_id) throw new InvalidInputError('Service ID must be a non-empty string.');
    let id = service_id;
    // A bare id names the caller's own service (the reference would search the whole workspace).
    if (!id.includes(':') && !id.includes('/')) id = `${callerClientId(ctx)}:${id}`;
    const r = resolveServiceId(id, ws);
    if (r.workspace !== ws) throw new PermissionDeniedError(`Permission denied for workspace ${r.workspace}`);
    const keys = await this.registry.find({ workspace: r.workspace, clientId: r.clientId, serviceId: r.serviceId, appId: r.appId });
    if (keys.length === 0) throw new NotFoundError(`Service not found: ${r.workspace}/${r.clientId}:${r.serviceId}`);
    if (keys.length > 1) {
      throw new InvalidInputError(
        `Multiple services found for ${service_id}, e.g. ${JSON.stringify(keys.slice(0, 5))}. Please specify the service id in full format \`workspace/client_id:service_id@app_id\`.`,
      );
    }
    const info = await this.registry.get(keys[0]!);
    if (info) {
      const owner = splitFullServiceId(info.id).clientId;
      if (owner !== callerClientId(ctx) && !checkPermission(ctx.user, ws, 'a')) {
        throw new PermissionDeniedError(`Permission denied: only the owner client or an admin can unregister ${info.id}`);
      }
    }
    await this.registry.delete(keys[0]!);
    if (keys[0]!.includes(':built-in@')) {
      await this.broadcast(ws, 'client_disconnected', { id: callerFullId(ctx), workspace: ws });
    } else if (info) {
      await this.broadcast(ws, 'service_removed', info);
    }
    return null;
  }

  private async selectKey(keys: string[], mode: string, selectTimeout: number): Promise<string> {
    switch (mode) {
      case 'random':
        return keys[Math.floor(Math.random() * keys.length)]!;
      case 'first':
        return keys[0]!;
      case 'last':
        return keys[keys.length - 1]!;
      case 'min_load':
        // Load is not tracked per client; every candidate counts as equally loaded.
        return keys[Math.floor(Math.random() * keys.length)]!;
      case 'native:random': {
        const local = keys.filter((k) => {
          const p = this.registry.parse(k);
          return this.router.getLocal(`${p.workspace}/${p.clientId}`) !== undefined;
        });
        const pool = local.length ? local : keys;
        return pool[Math.floor(Math.random() * pool.length)]!;
      }
      default:
        if (mode.startsWith('select:')) return this.selectByFunction(keys, mode, selectTimeout);
        throw new InvalidInputError(
          `Invalid mode: ${mode}. Mode must be 'random', 'first', 'last', 'exact', 'min_load', 'native:random', or 'select:criteria:function' format (e.g., 'select:min:get_load')`,
        );
    }
  }

  private async selectByFunction(keys: string[], mode: string, selectTimeout: number): Promise<string> {
    const parts = mode.split(':');
    if (parts.length !== 3) {
      throw new InvalidInputError(`Invalid select mode format: ${mode}. Expected 'select:criteria:function'`);
    }
    const [, criteria, fnName] = parts as [string, string, string];
    if (!['min', 'max', 'first_success'].includes(criteria)) {
      throw new InvalidInputError(`Invalid selection criteria: ${criteria} (expected min, max or first_success)`);
    }
    const peer = this.requirePeer();
    const results = await Promise.all(
      keys.map(async (key) => {
        const p = this.registry.parse(key);
        try {
          const svc = await peer.getRemoteService(`${p.workspace}/${p.clientId}:${p.serviceId}`, { timeout: selectTimeout });
          const fn = svc?.[fnName];
          if (typeof fn !== 'function') return null;
          const value = await withTimeout(fn(), selectTimeout * 1000);
          return { key, value };
        } catch (err) {
          // A candidate that cannot answer is not selectable; the others still are. Say which.
          this.router.onError(`select:${fnName} skipped ${key}: it did not answer`, err);
          return null;
        }
      }),
    );
    const ok = results.filter((r): r is { key: string; value: unknown } => r !== null);
    if (ok.length === 0) throw new Error(`No service responded to ${fnName} for selection mode ${mode}`);
    if (criteria === 'first_success') return ok[0]!.key;
    const numeric = ok.filter((r) => typeof r.value === 'number') as Array<{ key: string; value: number }>;
    if (numeric.length === 0) throw new Error(`Selection function ${fnName} returned no numeric values`);
    numeric.sort((a, b) => a.value - b.value);
    return criteria === 'min' ? numeric[0]!.key : numeric[numeric.length - 1]!.key;
  }

  async get_service_info(service_id: unknown, config: unknown, context: unknown): Promise<ServiceInfo> {
    const ctx = requireContext(context);
    if (typeof service_id === 'string' && isManagerServiceId(service_id)) return this.managerServiceInfo();
    const r = resolveServiceId(service_id, ctx.ws);
    const cfg = (config ?? {}) as Record<string, any>;
    const keys = await this.registry.find({ workspace: r.workspace, clientId: r.clientId, serviceId: r.serviceId, appId: r.appId });
    if (keys.length === 0) {
      if (cfg.read_app_manifest && this.appLauncher && r.appId !== '*' && checkPermission(ctx.user, r.workspace, 'r')) {
        const wanted = `${r.workspace}/*:${r.serviceId}@${r.appId}`;
        const found = (await this.appLauncher.appServices(r.workspace)).find((s) => s.id === wanted);
        if (found) return found as unknown as ServiceInfo;
      }
      throw new NotFoundError(`Service not found: ${r.workspace}/${r.clientId}:${r.serviceId}@${r.appId}`);
    }
    const mode: string = cfg.mode ?? (r.workspace === 'public' ? 'random' : 'exact');
    let key: string;
    if (mode === 'exact') {
      if (keys.length > 1) {
        throw new InvalidInputError(
          `Multiple services found for ${r.workspace}/${r.clientId}:${r.serviceId}, e.g. ${JSON.stringify(keys.slice(0, 5))}. You can either specify the mode as 'random', 'first', 'last', 'native:random', or use 'select:criteria:function' format.`,
        );
      }
      key = keys[0]!;
    } else {
      key = await this.selectKey(keys, mode, Number(cfg.select_timeout ?? 2));
    }
    const info = await this.registry.get(key);
    if (!info) {
      await this.registry.delete(key);
      throw new NotFoundError('Service not available (corrupted entry was removed, please retry)');
    }
    if (!key.startsWith('services:public|') && !key.startsWith('services:unlisted|')) {
      if (!checkPermission(ctx.user, r.workspace, 'r')) {
        const authorized = info.config.authorized_workspaces;
        if (!(Array.isArray(authorized) && authorized.includes(ctx.ws))) {
          throw new PermissionDeniedError(`Permission denied for non-public service in workspace ${r.workspace}`);
        }
        delete info.config.authorized_workspaces;
      }
    }
    return info;
  }

  async get_service(service_id: unknown, config: unknown, context: unknown): Promise<unknown> {
    const ctx = requireContext(context);
    if (service_id === '*') throw new InvalidInputError(`Invalid service id: ${service_id}, it cannot be a wildcard.`);
    const cfg = (config ?? {}) as Record<string, any>;
    let info: ServiceInfo;
    try {
      info = await this.get_service_info(service_id, { mode: cfg.mode, select_timeout: cfg.select_timeout }, ctx);
    } catch (err) {
      const r = err instanceof NotFoundError && this.appLauncher ? resolveServiceId(service_id, ctx.ws) : null;
      if (!r || r.appId === '*' || r.clientId !== '*' || !checkPermission(ctx.user, r.workspace, 'r')) throw err;
      const started = await this.appLauncher!.lazyStart(r.workspace, r.serviceId, r.appId);
      if (!started) throw err;
      return this.get_service(started, { ...cfg, timeout: cfg.timeout ?? 10 }, ctx);
    }
    if (info.id === '~') return this.requirePeer().getManagerService(ctx);
    const p = splitFullServiceId(info.id);
    const svc = await this.requirePeer().getRemoteService(`${p.workspace}/${p.clientId}:${p.serviceId}`, {
      timeout: cfg.timeout ?? 10,
    });
    if (!svc || typeof svc !== 'object') throw new Error(`Failed to get service: ${info.id}`);
    rebindRemoteFunctions(svc, this.serverInfo.public_base_url);
    if (svc.app_id === undefined && info.app_id) svc.app_id = info.app_id;
    const out: Record<string, any> = toCaseConverted(svc, cfg.case_conversion ?? null);
    out.id = `${p.workspace}/${p.clientId}:${p.serviceId}`;
    out.config = { ...(out.config ?? {}) };
    out.config.workspace = p.workspace;
    out.config.url = `${this.serverInfo.public_base_url}/${p.workspace}/services/${p.clientId}:${p.serviceId}`;
    return out;
  }

  async list_services(
    query: unknown,
    include_unlisted: unknown,
    include_app_services: unknown,
    prioritize_running_services: unknown,
    context: unknown,
  ): Promise<ServiceInfo[]> {
    void prioritize_running_services;
    const ctx = requireContext(context);
    const cws = ctx.ws;
    const q = normaliseListQuery(query, cws);
    const originalVisibility = q.visibility;
    const withUnlisted = include_unlisted === true;
    if (q.workspace === '*') {
      if (originalVisibility === 'protected' || originalVisibility === 'unlisted') {
        throw new InvalidInputError('Cannot list protected or unlisted services in all workspaces.');
      }
      if (withUnlisted) throw new PermissionDeniedError('Cannot include unlisted services when searching all workspaces.');
      q.visibility = 'public';
    } else if (withUnlisted && q.workspace !== cws) {
      throw new PermissionDeniedError(
        `Cannot include unlisted services from workspace ${q.workspace}. Only services from your current workspace (${cws}) can include unlisted services.`,
      );
    }
    if (withUnlisted && !checkPermission(ctx.user, cws, 'r')) {
      throw new PermissionDeniedError(`Cannot include unlisted services without read permission for workspace ${cws}.`);
    }
    const base = { type: q.type, workspace: q.workspace, clientId: q.client_id, serviceId: q.service_id, appId: q.app_id };
    const keySet = new Set<string>();
    for (const k of await this.registry.find({ ...base, visibility: q.visibility })) keySet.add(k);
    if (q.workspace === '*') {
      for (const k of await this.registry.find({ ...base, workspace: cws, visibility: originalVisibility })) keySet.add(k);
    }
    const out: ServiceInfo[] = [];
    for (const key of [...keySet].sort()) {
      const info = await this.registry.get(key);
      if (!info) continue;
      const p = this.registry.parse(key);
      if (p.visibility === 'unlisted' && (!withUnlisted || p.workspace !== cws)) continue;
      if (p.visibility !== 'public' && p.visibility !== 'unlisted' && !checkPermission(ctx.user, p.workspace, 'r')) {
        const authorized = info.config.authorized_workspaces;
        if (!(Array.isArray(authorized) && authorized.includes(cws))) continue;
        delete info.config.authorized_workspaces;
      }
      out.push(info);
    }
    if (include_app_services === true && this.appLauncher && q.workspace !== '*' && checkPermission(ctx.user, q.workspace, 'r')) {
      for (const s of await this.appLauncher.appServices(q.workspace)) {
        if (q.type && q.type !== '*' && s.type !== q.type) continue;
        out.push(s as unknown as ServiceInfo);
      }
    }
    return out;
  }

  async search_services(..._args: unknown[]): Promise<never> {
    throw new Error('Service search is not enabled.');
  }

  // ---------------------------------------------------------------- clients

  /** Ids `<ws>/<cid>` of clients with a `built-in` registration in `workspace`. */
  async listClientIds(workspace: string): Promise<string[]> {
    const keys = await this.registry.find({ workspace, serviceId: 'built-in' });
    return [...new Set(keys.map((k) => { const p = this.registry.parse(k); return `${p.workspace}/${p.clientId}`; }))];
  }

  async list_clients(workspace: unknown, context: unknown) {
    const ctx = requireContext(context);
    const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
    if (!checkPermission(ctx.user, ws, 'r')) throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
    const keys = await this.registry.find({ workspace: ws, serviceId: 'built-in' });
    const out: Array<{ id: string; user: unknown }> = [];
    for (const key of keys) {
      const info = await this.registry.get(key);
      const p = this.registry.parse(key);
      out.push({ id: `${p.workspace}/${p.clientId}`, user: info?.config.created_by ?? null });
    }
    return out;
  }

  async ping(client_id: unknown, timeout: unknown, context: unknown): Promise<string> {
    const ctx = requireContext(context);
    const id = String(client_id ?? '');
    const full = id.includes('/') ? id : `${ctx.ws}/${id}`;
    const ws = full.split('/')[0]!;
    if (ws !== ctx.ws && !checkPermission(ctx.user, ws, 'r')) {
      return `Failed to ping client ${full}: Permission denied for workspace ${ws}`;
    }
    return this.pingClient(full, typeof timeout === 'number' ? timeout : 5);
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
   * Removes every registration of a departed client and broadcasts `client_disconnected`
   * (bare client id, like the reference's disconnect cleanup); then unloads the workspace when it
   * is empty and temporary.
   */
  /** Removes a departed client's services: `service_removed` for each, then `client_disconnected`. */
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

  private cancelPendingUnload(ws: string): void {
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

  async cleanup(workspace: unknown, timeout: unknown, context: unknown) {
    const ctx = this.validate(context, 'a');
    const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
    if (!checkPermission(ctx.user, ws, 'a')) throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
    const t = typeof timeout === 'number' ? timeout : 5;
    const removed: string[] = [];
    const ids = await this.listClientIds(ws);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map(async (id) => {
          if ((await this.pingClient(id, t)) !== 'pong') {
            const cid = id.slice(id.indexOf('/') + 1);
            const keys = await this.registry.clientKeys(ws, cid);
            if (keys.length) await this.registry.delete(...keys);
            await this.broadcast(ws, 'client_disconnected', { id: cid, workspace: ws });
            removed.push(id);
          }
        }),
      );
    }
    if (await this.unloadIfEmpty(ws)) return { removed_workspace: ws, removed_clients: removed };
    return removed.length ? { removed_clients: removed } : {};
  }

  // ---------------------------------------------------------------- tokens

  /** A child token (reference `generate_token`); owners of the target workspace count as admin. */
  async generate_token(config: unknown, context: unknown): Promise<string> {
    const ctx = requireContext(context);
    if (config !== null && config !== undefined && (typeof config !== 'object' || Array.isArray(config))) {
      throw new InvalidInputError('generate_token expects a TokenConfig object');
    }
    const cfg = (config ?? {}) as TokenConfig;
    const target = cfg.workspace || ctx.ws;
    let owns = false;
    if (getPermission(ctx.user, target) !== 'a') {
      const info = await this.workspaces.get(target);
      owns = info !== null && info !== undefined && ownedBy(info, ctx.user);
    }
    return this.auth.generateChildToken(ctx.user, cfg, { workspace: ctx.ws, ownsWorkspace: owns });
  }

  async revoke_token(token: unknown, context: unknown): Promise<null> {
    this.validate(context, 'a');
    if (typeof token !== 'string' || !token) throw new InvalidInputError('Token must be a non-empty string');
    await this.auth.revokeToken(token);
    return null;
  }

  /** The user of a token of the caller's workspace (revoked and invalid tokens are refused). */
  async parse_token(token: unknown, context: unknown): Promise<UserInfo> {
    const ctx = this.validate(context, 'r');
    if (typeof token !== 'string' || !token) throw new InvalidInputError('Token must be a non-empty string');
    const user = await this.auth.resolveToken(token, { workspace: ctx.ws });
    const wid = user.scope?.current_workspace;
    if (wid && wid !== ctx.ws) throw new PermissionDeniedError(`Permission denied: the token is for workspace ${wid}, not ${ctx.ws}`);
    return user;
  }

  // ---------------------------------------------------------------- workspaces

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
    if (ws === getUserWorkspace(user)) {
      const info = newWorkspaceInfo({
        id: ws,
        persistent: !user.is_anonymous,
        read_only: user.is_anonymous,
        owners: [user.id],
        description: `Workspace for user ${user.id}`,
      });
      await this.workspaces.put(info);
      return info;
    }
    throw new NotFoundError(`Workspace ${ws} does not exist or is not accessible`);
  }

  async create_workspace(config: unknown, overwrite: unknown, context: unknown): Promise<WorkspaceInfo> {
    const ctx = requireContext(context);
    const user = ctx.user;
    if (user.is_anonymous) throw new PermissionDeniedError('Only registered user can create workspace.');
    if (!config || typeof config !== 'object') throw new InvalidInputError('Workspace config must be a map');
    const c = config as Record<string, any>;
    const isRoot = user.id === 'root';
    const id = validateWorkspaceId(c.id ?? c.name, !isRoot);
    if (id === '*' || (PROTECTED_WORKSPACES as readonly string[]).includes(id)) {
      throw new PermissionDeniedError(`Permission denied: workspace ${id} is a protected system workspace`);
    }
    const existing = await this.workspaces.get(id);
    if (existing) {
      if (overwrite !== true) throw new Error(`Workspace already exists: ${id}`);
      if (!(isRoot || ownedBy(existing, user) || checkPermission(user, id, 'a'))) {
        throw new PermissionDeniedError(`Permission denied for workspace ${id}`);
      }
    } else if (!isRoot) {
      const mine = (await this.workspaces.list()).filter((w) => w.owners.includes(user.id) && w.id !== getUserWorkspace(user));
      if (mine.length >= this.maxWorkspacesPerUser) {
        throw new Error(`Workspace quota exceeded: user ${user.id} already owns ${mine.length} workspaces (max ${this.maxWorkspacesPerUser}).`);
      }
    }
    const owners: string[] = Array.isArray(c.owners) ? [...c.owners] : [];
    if (!owners.includes(user.id)) owners.push(user.id);
    const info = newWorkspaceInfo({
      id,
      name: c.name ?? id,
      description: c.description ?? null,
      persistent: c.persistent === true,
      owners,
      read_only: c.read_only === true,
      icon: c.icon ?? null,
      covers: c.covers ?? null,
      docs: c.docs ?? null,
      service_types: c.service_types ?? {},
      config: { environs: {}, bookmarks: [], ...(c.config ?? {}) },
    });
    await this.workspaces.put(info);
    if (!isRoot) {
      await this.addBookmark(user, { bookmark_type: 'workspace', id, name: id, description: info.description });
    }
    await this.broadcast(getUserWorkspace(user), 'workspace_loaded', info);
    return info;
  }

  async delete_workspace(workspace: unknown, context: unknown): Promise<null> {
    const ctx = requireContext(context);
    if (typeof workspace !== 'string' || !workspace) throw new InvalidInputError('Workspace must be a non-empty string');
    const info = await this.workspaces.get(workspace);
    if (!info) throw new NotFoundError(`Workspace not found: ${workspace}`);
    if ((PROTECTED_WORKSPACES as readonly string[]).includes(workspace)) {
      throw new PermissionDeniedError(`Permission denied: workspace ${workspace} is a protected system workspace`);
    }
    if (!checkPermission(ctx.user, workspace, 'a') && !ownedBy(info, ctx.user)) {
      throw new PermissionDeniedError(`Permission denied for workspace ${workspace}`);
    }
    const keys = await this.registry.find({ workspace });
    if (keys.length) await this.registry.delete(...keys);
    await this.workspaces.delete(workspace);
    this.events.dropWorkspace(workspace);
    await this.removeBookmark(ctx.user, workspace);
    await this.broadcast(getUserWorkspace(ctx.user), 'workspace_deleted', info);
    return null;
  }

  async get_workspace_info(workspace: unknown, context: unknown): Promise<WorkspaceInfo> {
    const ctx = this.validate(context, 'r');
    const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
    const info = await this.workspaces.get(ws);
    if (!info) throw new NotFoundError(`Workspace not found: ${ws}`);
    return info;
  }

  async list_workspaces(match: unknown, offset: unknown, limit: unknown, context: unknown) {
    const ctx = this.validate(context, 'r');
    const off = offset == null ? 0 : Number(offset);
    const lim = limit == null ? 256 : Number(limit);
    if (!(off >= 0)) throw new InvalidInputError('Offset must be greater than or equal to 0');
    if (!(lim >= 1 && lim <= 256)) throw new InvalidInputError('Limit must be between 1 and 256');
    const m = (match ?? {}) as Record<string, unknown>;
    const all = (await this.workspaces.list())
      .filter((w) => checkPermission(ctx.user, w.id, 'r') || ownedBy(w, ctx.user))
      .filter((w) => Object.entries(m).every(([k, v]) => (w as unknown as Record<string, unknown>)[k] === v))
      .sort((a, b) => a.id.localeCompare(b.id));
    return all.slice(off, off + lim).map((w) => ({
      id: w.id,
      name: w.id,
      description: w.description,
      read_only: w.read_only,
      persistent: w.persistent,
      owners: w.owners,
    }));
  }

  async check_status(context: unknown) {
    const ctx = this.validate(context, 'r');
    const info = await this.workspaces.get(ctx.ws);
    const user_permission = getPermission(ctx.user, ctx.ws);
    if (!info) return { status: 'not_found', user_permission };
    const st = info.status ?? { ready: true };
    if (st.ready) return { status: 'ready', errors: st.errors ?? null, user_permission };
    if (st.error) return { status: 'error', error: st.error, user_permission };
    return { status: 'loading', user_permission };
  }

  async get_summary(context: unknown) {
    const ctx = requireContext(context);
    const info = await this.workspaces.get(ctx.ws);
    const services = await this.list_services(null, false, false, false, ctx);
    const clients = await this.listClientIds(ctx.ws);
    return {
      name: info?.name ?? ctx.ws,
      description: info?.description ?? null,
      client_count: clients.length,
      clients,
      service_count: services.length,
      services: services.map((s) => ({ id: s.id, name: s.name, type: s.type, description: s.description, config: s.config })),
    };
  }

  async set_env(key: unknown, value: unknown, context: unknown): Promise<null> {
    const ctx = this.validate(context, 'rw');
    if (typeof key !== 'string' || !key) throw new InvalidInputError('Environment variable key must be a non-empty string');
    const info = await this.workspaces.get(ctx.ws);
    if (!info) throw new NotFoundError(`Workspace not found: ${ctx.ws}`);
    const environs = { ...(info.config.environs ?? {}) };
    if (value === null || value === undefined) delete environs[key];
    else environs[key] = String(value);
    info.config = { ...info.config, environs };
    await this.workspaces.put(info);
    this.events.add(ctx.ws, ctx.user.id, value == null ? 'env_removed' : 'env_set', { key });
    return null;
  }

  async get_env(key: unknown, context: unknown) {
    const ctx = this.validate(context, 'rw');
    const info = await this.workspaces.get(ctx.ws);
    if (!info) throw new NotFoundError(`Workspace not found: ${ctx.ws}`);
    const environs = info.config.environs ?? {};
    if (key === null || key === undefined) return { ...environs };
    if (typeof key !== 'string' || !(key in environs)) throw new NotFoundError(`Environment variable not found: ${String(key)}`);
    return environs[key];
  }

  private async addBookmark(user: UserInfo, item: Record<string, unknown>): Promise<void> {
    const ws = getUserWorkspace(user);
    const info = (await this.workspaces.get(ws)) ?? (await this.loadOrCreateWorkspace(user, ws));
    const bookmarks = (info.config.bookmarks ?? []).filter((b: any) => b?.id !== item.id);
    bookmarks.push(item);
    info.config = { ...info.config, bookmarks };
    await this.workspaces.put(info);
  }

  private async removeBookmark(user: UserInfo, id: string): Promise<void> {
    const info = await this.workspaces.get(getUserWorkspace(user));
    if (!info) return;
    info.config = { ...info.config, bookmarks: (info.config.bookmarks ?? []).filter((b: any) => b?.id !== id) };
    await this.workspaces.put(info);
  }

  async bookmark(item: unknown, context: unknown): Promise<null> {
    const ctx = requireContext(context);
    const it = (item ?? {}) as Record<string, any>;
    if (it.bookmark_type === 'workspace') {
      const info = await this.workspaces.get(it.id);
      if (!info) throw new NotFoundError(`Workspace not found: ${it.id}`);
      await this.addBookmark(ctx.user, { bookmark_type: 'workspace', id: info.id, name: info.name, description: info.description });
    } else if (it.bookmark_type === 'service') {
      const svc = await this.get_service_info(it.id, null, ctx);
      await this.addBookmark(ctx.user, { bookmark_type: 'service', id: svc.id, name: svc.name, description: svc.description });
    } else {
      throw new InvalidInputError(`Invalid bookmark type: ${String(it.bookmark_type)} (expected 'workspace' or 'service')`);
    }
    return null;
  }

  async unbookmark(item: unknown, context: unknown): Promise<null> {
    const ctx = requireContext(context);
    const it = (item ?? {}) as Record<string, any>;
    if (it.bookmark_type !== 'workspace' && it.bookmark_type !== 'service') {
      throw new InvalidInputError(`Invalid bookmark type: ${String(it.bookmark_type)} (expected 'workspace' or 'service')`);
    }
    await this.removeBookmark(ctx.user, it.id);
    return null;
  }

  // ---------------------------------------------------------------- service types

  async register_service_type(type_info: unknown, context: unknown) {
    const ctx = this.validate(context, 'rw');
    const t = { ...((type_info ?? {}) as Record<string, any>) };
    if (typeof t.id !== 'string' || !t.id) throw new InvalidInputError('Service type id must be a non-empty string');
    if (t.id.includes('/')) {
      const [tws, tid] = t.id.split('/');
      if (tws !== ctx.ws) throw new PermissionDeniedError(`Permission denied for workspace ${tws}`);
      t.id = tid;
    }
    const info = await this.workspaces.get(ctx.ws);
    if (!info) throw new NotFoundError(`Workspace not found: ${ctx.ws}`);
    if (info.service_types[t.id]) throw new Error(`Service type already exists: ${t.id}`);
    const stored = { name: t.name ?? t.id, definition: t.definition ?? {}, description: t.description ?? null, docs: t.docs ?? null, config: t.config ?? {}, ...t, id: t.id };
    info.service_types = { ...info.service_types, [t.id]: stored };
    await this.workspaces.put(info);
    return { ...stored, id: `${ctx.ws}/${t.id}` };
  }

  async get_service_type(type_id: unknown, context: unknown) {
    const ctx = requireContext(context);
    if (typeof type_id !== 'string' || !type_id) throw new InvalidInputError('Service type id must be a non-empty string');
    const [ws, tid] = type_id.includes('/') ? (type_id.split('/') as [string, string]) : [ctx.ws, type_id];
    const info = await this.workspaces.get(ws);
    const t = info?.service_types[tid] as Record<string, any> | undefined;
    if (!t) throw new NotFoundError(`Service type not found: ${type_id}`);
    if (t.config?.visibility !== 'public' && !checkPermission(ctx.user, ws, 'r')) {
      throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
    }
    return { ...t, id: `${ws}/${tid}` };
  }

  async list_service_types(workspace: unknown, context: unknown) {
    const ctx = requireContext(context);
    const ws = typeof workspace === 'string' && workspace ? workspace : ctx.ws;
    if (!checkPermission(ctx.user, ws, 'r')) throw new PermissionDeniedError(`Permission denied for workspace ${ws}`);
    const info = await this.workspaces.get(ws);
    return Object.values(info?.service_types ?? {});
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
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
