/**
 * Finding services: `get_service_info` (with its selection modes), `get_service` and
 * `list_services`. apps/server calls these directly for HTTP routes.
 */
import { checkPermission } from '@hypha/auth';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@hypha/service';
import { splitFullServiceId } from '../../registry/service-registry.js';
import type { ServiceInfo } from '../../registry/service-info.js';
import type { CallContext } from '../context.js';
import { isManagerServiceId, normaliseListQuery, resolveServiceId } from '../service-query.js';
import { toCaseConverted } from '../case-conversion.js';
import { rebindRemoteFunctions } from '../relayed-functions.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { selectKey } from './service-selection.js';

/** The registration info of a service the caller may see (reference `get_service_info`). */
export async function getServiceInfo(
  m: WorkspaceManager,
  ctx: CallContext,
  serviceId: unknown,
  config: Record<string, any> | null | undefined,
): Promise<ServiceInfo> {
  if (typeof serviceId === 'string' && isManagerServiceId(serviceId)) return m.managerServiceInfo();
  const r = resolveServiceId(serviceId, ctx.ws);
  const cfg = config ?? {};
  const keys = await m.registry.find({ workspace: r.workspace, clientId: r.clientId, serviceId: r.serviceId, appId: r.appId });
  if (keys.length === 0) {
    if (cfg.read_app_manifest && m.appLauncher && r.appId !== '*' && checkPermission(ctx.user, r.workspace, 'r')) {
      const wanted = `${r.workspace}/*:${r.serviceId}@${r.appId}`;
      const found = (await m.appLauncher.appServices(r.workspace)).find((s) => s.id === wanted);
      if (found) return found as unknown as ServiceInfo;
    }
    throw new NotFoundError(`Service not found: ${r.workspace}/${r.clientId}:${r.serviceId}@${r.appId}`);
  }
  const mode: string = cfg.mode ?? (r.workspace === 'public' ? 'random' : 'exact');
  let key: string;
  if (mode === 'exact') {
    if (keys.length > 1) {
      throw new InvalidArgumentError(
        `Multiple services found for ${r.workspace}/${r.clientId}:${r.serviceId}, e.g. ${JSON.stringify(keys.slice(0, 5))}. You can either specify the mode as 'random', 'first', 'last', 'native:random', or use 'select:criteria:function' format.`,
      );
    }
    key = keys[0]!;
  } else {
    key = await selectKey(m, keys, mode, Number(cfg.select_timeout ?? 2));
  }
  const info = await m.registry.get(key);
  if (!info) {
    await m.registry.delete(key);
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

/**
 * `<svc>@<app>` with nothing running: asks the server-apps hook to start the app, for a caller who
 * may read the workspace, and returns the id of the service it registered (null: nothing to start).
 */
export async function startAppFor(m: WorkspaceManager, ctx: CallContext, serviceId: unknown): Promise<string | null> {
  if (!m.appLauncher || typeof serviceId !== 'string' || !serviceId.includes('@')) return null;
  const r = resolveServiceId(serviceId, ctx.ws);
  if (r.appId === '*' || r.clientId !== '*' || !checkPermission(ctx.user, r.workspace, 'r')) return null;
  return m.appLauncher.lazyStart(r.workspace, r.serviceId, r.appId);
}

/** A service ready to call (reference `get_service`). */
export async function getService(
  m: WorkspaceManager,
  ctx: CallContext,
  serviceId: unknown,
  config: Record<string, any> | null | undefined,
): Promise<unknown> {
  if (serviceId === '*') throw new InvalidArgumentError(`Invalid service id: ${serviceId}, it cannot be a wildcard.`);
  const cfg = config ?? {};
  let info: ServiceInfo;
  try {
    info = await getServiceInfo(m, ctx, serviceId, { mode: cfg.mode, select_timeout: cfg.select_timeout });
  } catch (err) {
    const started = err instanceof NotFoundError ? await startAppFor(m, ctx, serviceId) : null;
    if (!started) throw err;
    return getService(m, ctx, started, { ...cfg, timeout: cfg.timeout ?? 10 });
  }
  if (info.id === '~') return m.requirePeer().getManagerService(ctx);
  const p = splitFullServiceId(info.id);
  const svc = await m.requirePeer().getRemoteService(`${p.workspace}/${p.clientId}:${p.serviceId}`, {
    timeout: cfg.timeout ?? 10,
  });
  if (!svc || typeof svc !== 'object') throw new Error(`Failed to get service: ${info.id}`);
  rebindRemoteFunctions(svc, m.serverInfo.public_base_url);
  if (svc.app_id === undefined && info.app_id) svc.app_id = info.app_id;
  const out: Record<string, any> = toCaseConverted(svc, cfg.case_conversion ?? null);
  out.id = `${p.workspace}/${p.clientId}:${p.serviceId}`;
  out.config = { ...(out.config ?? {}) };
  out.config.workspace = p.workspace;
  out.config.url = `${m.serverInfo.public_base_url}/${p.workspace}/services/${p.clientId}:${p.serviceId}`;
  return out;
}

/** The services matching `query` that the caller may see (reference `list_services`). */
export async function listServices(
  m: WorkspaceManager,
  ctx: CallContext,
  query: unknown,
  includeUnlisted: unknown,
  includeAppServices: unknown = false,
): Promise<ServiceInfo[]> {
  const cws = ctx.ws;
  const q = normaliseListQuery(query, cws);
  const originalVisibility = q.visibility;
  const withUnlisted = includeUnlisted === true;
  if (q.workspace === '*') {
    if (originalVisibility === 'protected' || originalVisibility === 'unlisted') {
      throw new InvalidArgumentError('Cannot list protected or unlisted services in all workspaces.');
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
  for (const k of await m.registry.find({ ...base, visibility: q.visibility })) keySet.add(k);
  if (q.workspace === '*') {
    for (const k of await m.registry.find({ ...base, workspace: cws, visibility: originalVisibility })) keySet.add(k);
  }
  const out: ServiceInfo[] = [];
  for (const key of [...keySet].sort()) {
    const info = await m.registry.get(key);
    if (!info) continue;
    const p = m.registry.parse(key);
    if (p.visibility === 'unlisted' && (!withUnlisted || p.workspace !== cws)) continue;
    if (p.visibility !== 'public' && p.visibility !== 'unlisted' && !checkPermission(ctx.user, p.workspace, 'r')) {
      const authorized = info.config.authorized_workspaces;
      if (!(Array.isArray(authorized) && authorized.includes(cws))) continue;
      delete info.config.authorized_workspaces;
    }
    out.push(info);
  }
  if (includeAppServices === true && m.appLauncher && q.workspace !== '*' && checkPermission(ctx.user, q.workspace, 'r')) {
    for (const s of await m.appLauncher.appServices(q.workspace)) {
      if (q.type && q.type !== '*' && s.type !== q.type) continue;
      out.push(s as unknown as ServiceInfo);
    }
  }
  return out;
}
