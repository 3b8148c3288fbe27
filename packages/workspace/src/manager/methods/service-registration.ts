/** Registering and removing services (`register_service`, `unregister_service`). */
import { checkPermission } from '@hypha/auth';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@hypha/service';
import { splitFullServiceId } from '../../registry/service-registry.js';
import { VISIBILITIES } from '../../registry/service-info.js';
import type { ServiceInfo } from '../../registry/service-info.js';
import { callerClientId, callerFullId } from '../context.js';
import type { CallContext } from '../context.js';
import { resolveServiceId, validateKeyPart, validateServiceName } from '../service-query.js';
import type { WorkspaceManager } from '../workspace-manager.js';

/** Enters a service of the calling client in the registry and announces it. */
export async function registerService(m: WorkspaceManager, ctx: CallContext, service: unknown): Promise<null> {
  const ws = ctx.ws;
  const clientFull = callerFullId(ctx);
  const info = serviceInfoOf(service, ws);
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
    throw new InvalidArgumentError(`Invalid visibility: ${String(visibility)} (expected protected, public or unlisted)`);
  }
  info.config.visibility = visibility;
  validateServiceName(serviceName);
  if (info.app_id.includes('/')) throw new InvalidArgumentError("App id info must not contain '/'");
  validateKeyPart(info.app_id, 'app id');
  if (!/^[a-zA-Z0-9_.*-]+$/.test(info.app_id)) throw new InvalidArgumentError(`Invalid app id: ${JSON.stringify(info.app_id)}`);
  validateKeyPart(info.type, 'service type');
  const isBuiltin = serviceName === 'built-in';
  if (!isBuiltin) {
    const count = (await m.registry.clientKeys(ws, parts.clientId)).filter((k) => !k.includes(':built-in@')).length;
    if (count >= m.maxServicesPerClient) {
      throw new Error(
        `Service quota exceeded: client ${clientFull} already has ${count} services (max ${m.maxServicesPerClient}). Remove unused services before registering new ones.`,
      );
    }
  }
  info.name = info.name || serviceName;
  info.config.created_by = isBuiltin && info.type === 'built-in' ? { ...ctx.user } : { id: ctx.user.id };
  if (info.config.authorized_workspaces != null) {
    if (visibility !== 'protected') {
      throw new InvalidArgumentError(
        `authorized_workspaces can only be set when visibility is 'protected', got visibility='${visibility}'`,
      );
    }
    if (!Array.isArray(info.config.authorized_workspaces) || info.config.authorized_workspaces.some((w) => typeof w !== 'string')) {
      throw new InvalidArgumentError('authorized_workspaces must be a list of workspace names');
    }
  }
  for (const key of await m.registry.find({ workspace: ws, serviceId: serviceName })) {
    const peer = await m.registry.get(key);
    if (!peer) continue;
    const sameId = peer.id === info.id && peer.app_id === info.app_id;
    if ((peer.config.singleton || info.config.singleton) && !sameId) {
      throw new InvalidArgumentError(
        `A singleton service with the same name (${serviceName}) already exists in the workspace (${ws}), please remove it first or use a different name.`,
      );
    }
  }
  if (!isBuiltin && !['ws-user-root', 'public'].includes(ws)) {
    const builtins = await m.registry.find({ workspace: ws, clientId: parts.clientId, serviceId: 'built-in' });
    if (builtins.length === 0) return null;
  }
  const existing = await m.registry.find({ workspace: ws, clientId: parts.clientId, serviceId: serviceName });
  const stored: ServiceInfo = { ...info, id: `${ws}/${parts.clientId}:${serviceName}` };
  // Embedded before anything changes, so a service that cannot be indexed leaves the old one in place.
  const enterInIndex = m.serviceSearch ? await m.serviceSearch.prepare(m.registry.keyFor(stored), stored) : null;
  if (existing.length) await m.registry.delete(...existing);
  if (enterInIndex) await enterInIndex();
  await m.registry.put(stored);
  if (isBuiltin) {
    m.cancelPendingUnload(ws);
    await m.broadcast(ws, existing.length ? 'client_updated' : 'client_connected', { id: clientFull, workspace: ws });
  } else {
    if (existing.length) await m.broadcast(ws, 'service_removed', stored);
    await m.broadcast(ws, 'service_added', stored);
    if (serviceName === 'default' && stored.app_id && stored.app_id !== '*') await runAppSetup(m, stored.id);
  }
  return null;
}

/**
 * An app's `default` service (what `api.export()` registers) gets its `setup()` called, when it
 * has one, before the registration returns (the reference does this in `register_service`). A
 * failing setup is logged; the service stays registered.
 */
async function runAppSetup(m: WorkspaceManager, serviceId: string): Promise<void> {
  try {
    const svc = (await m.requirePeer().getRemoteService(serviceId, { timeout: 10 })) as Record<string, unknown> | null;
    const setup = svc?.setup;
    if (typeof setup === 'function') await (setup as () => Promise<unknown>)();
  } catch (err) {
    m.router.onError(`setup() of app service ${serviceId} failed`, err);
  }
}

/** The registration info of `service` (a map from the client) with its id made full. */
function serviceInfoOf(service: unknown, ws: string): ServiceInfo {
  if (!service || typeof service !== 'object') throw new InvalidArgumentError('Service info must be a map');
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
    throw new InvalidArgumentError('Service description must be at most 1024 characters');
  }
  info.config.workspace = ws;
  if (!info.id.includes('/')) info.id = `${ws}/${info.id}`;
  if (!info.id.includes(':')) throw new InvalidArgumentError("Service id info must contain ':'");
  return info;
}

/** Removes a service of the caller (or, for an admin, of any client of the caller's workspace). */
export async function unregisterService(m: WorkspaceManager, ctx: CallContext, serviceId: unknown): Promise<null> {
  const ws = ctx.ws;
  if (typeof serviceId !== 'string' || !serviceId) throw new InvalidArgumentError('Service ID must be a non-empty string.');
  let id = serviceId;
  // A bare id names the caller's own service (the reference would search the whole workspace).
  if (!id.includes(':') && !id.includes('/')) id = `${callerClientId(ctx)}:${id}`;
  const r = resolveServiceId(id, ws);
  if (r.workspace !== ws) throw new PermissionDeniedError(`Permission denied for workspace ${r.workspace}`);
  const keys = await m.registry.find({ workspace: r.workspace, clientId: r.clientId, serviceId: r.serviceId, appId: r.appId });
  if (keys.length === 0) throw new NotFoundError(`Service not found: ${r.workspace}/${r.clientId}:${r.serviceId}`);
  if (keys.length > 1) {
    throw new InvalidArgumentError(
      `Multiple services found for ${serviceId}, e.g. ${JSON.stringify(keys.slice(0, 5))}. Please specify the service id in full format \`workspace/client_id:service_id@app_id\`.`,
    );
  }
  const info = await m.registry.get(keys[0]!);
  if (info) {
    const owner = splitFullServiceId(info.id).clientId;
    if (owner !== callerClientId(ctx) && !checkPermission(ctx.user, ws, 'a')) {
      throw new PermissionDeniedError(`Permission denied: only the owner client or an admin can unregister ${info.id}`);
    }
  }
  await m.registry.delete(keys[0]!);
  if (keys[0]!.includes(':built-in@')) {
    await m.broadcast(ws, 'client_disconnected', { id: callerFullId(ctx), workspace: ws });
  } else if (info) {
    await m.broadcast(ws, 'service_removed', info);
  }
  return null;
}
