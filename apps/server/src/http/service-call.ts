/**
 * Resolving and calling a service for an HTTP request (server-api §3.2). Services are resolved
 * with the manager's `get_service_info` in-process (typed errors give the status) and called
 * through the caller's RPC peer; the manager itself (service id `ws`) is called in-process with
 * the context the router would stamp.
 */
import { createManagerService, getServiceInfo, splitFullServiceId, startAppFor } from '@hypha/workspace/internal';
import { isNotFoundError } from '@hypha/service';
import type { CallContext, HyphaCore, ServiceInfo } from '@hypha/workspace';
import type { CallArgs } from './call-args.js';
import type { CallerLease } from './http-caller-pool.js';
import type { HttpCallerPeer } from './http-caller.js';
import { HttpError, notFound } from './http-errors.js';

export type ResolvedService = { kind: 'manager' } | { kind: 'remote'; info: ServiceInfo };

export async function resolveService(
  core: HyphaCore,
  peer: HttpCallerPeer,
  urlWorkspace: string,
  serviceId: string,
  mode: string | undefined,
): Promise<ResolvedService> {
  if (serviceId === 'ws' || serviceId === '~') {
    // The manager acts on the caller's workspace: a URL naming another one must not silently
    // answer for the caller's (issue #10 item 10). `public` hosts shared helpers anyone may call.
    if (urlWorkspace !== 'public' && peer.workspace !== urlWorkspace) {
      throw new HttpError(
        403,
        `Permission denied: this token acts on workspace ${peer.workspace}, not on ${urlWorkspace}; use a token for ${urlWorkspace}`,
      );
    }
    return { kind: 'manager' };
  }
  const ctx = peer.context(core.managerId);
  const fullId = `${urlWorkspace}/${serviceId}`;
  try {
    return { kind: 'remote', info: await getServiceInfo(core.manager, ctx, fullId, mode ? { mode } : {}) };
  } catch (err) {
    // `<svc>@<app>` with nothing running starts the app, as `get_service` does (reference http.py).
    const started = isNotFoundError(err) ? await startAppFor(core.manager, ctx, fullId) : null;
    if (started === null) throw err;
    return { kind: 'remote', info: await getServiceInfo(core.manager, ctx, started, {}) };
  }
}

const managerServices = new WeakMap<HyphaCore, Record<string, unknown>>();

export function managerService(core: HyphaCore): Record<string, unknown> {
  let svc = managerServices.get(core);
  if (!svc) {
    svc = createManagerService(core.manager);
    managerServices.set(core, svc);
  }
  return svc;
}

/** The service object whose members an HTTP request reads or calls (fetched for this request). */
export async function serviceObject(core: HyphaCore, peer: HttpCallerPeer, resolved: ResolvedService, timeout: number): Promise<Record<string, unknown>> {
  if (resolved.kind === 'manager') return managerService(core);
  const p = splitFullServiceId(resolved.info.id);
  return (await peer.getService(`${p.workspace}/${p.clientId}:${p.serviceId}`, timeout)) as unknown as Record<string, unknown>;
}

/**
 * The whole service object for an adapter (MCP, A2A) that reads many members per request: the
 * lease's cached description, which the pool drops when the provider's workspace reports a service
 * or client change (so a re-registered service is seen at once).
 */
export async function cachedServiceObject(core: HyphaCore, lease: CallerLease, resolved: ResolvedService, timeout: number): Promise<Record<string, unknown>> {
  if (resolved.kind === 'manager') return managerService(core);
  const p = splitFullServiceId(resolved.info.id);
  return lease.service(`${p.workspace}/${p.clientId}:${p.serviceId}`, timeout);
}

/**
 * The member `key` of a resolved service. A remote function comes from the lease's cached
 * description; anything else (a missing key, a plain value) is read from a freshly fetched one, so
 * a cache entry never answers for what it does not hold.
 */
export async function serviceMember(core: HyphaCore, lease: CallerLease, resolved: ResolvedService, key: string, timeout: number): Promise<unknown> {
  if (resolved.kind === 'manager') return memberAt(managerService(core), key);
  const p = splitFullServiceId(resolved.info.id);
  const id = `${p.workspace}/${p.clientId}:${p.serviceId}`;
  const cached = memberIfPresent(await lease.service(id, timeout), key);
  if (typeof cached === 'function') return cached;
  return memberAt((await lease.peer.getService(id, timeout)) as unknown as Record<string, unknown>, key);
}

function memberIfPresent(service: Record<string, unknown>, key: string): unknown {
  let value: unknown = service;
  for (const part of key.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Reference `get_value`: a dotted key walks nested members; only own members count. */
export function memberAt(service: Record<string, unknown>, key: string): unknown {
  let value: unknown = service;
  for (const part of key.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) {
      throw notFound(`${key} not found.`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) throw notFound(`${key} not found.`);
  return value;
}

type Fn = (...args: unknown[]) => unknown;

/**
 * Calls a manager method in-process. Its function is derived from its declaration
 * (`@hypha/service`), which binds keyword arguments by the declared parameter names and refuses
 * unknown or missing ones (InvalidArgumentError, HTTP 400).
 */
export async function callManager(fn: Fn, args: CallArgs, ctx: CallContext): Promise<unknown> {
  if (args.kind === 'kwargs') return await fn({ ...args.kwargs, _rkwargs: true }, ctx);
  return await fn(...args.args, ctx);
}

/** Calls a remote function through the caller's peer with hypha-rpc's kwargs convention. */
export async function callRemote(peer: HttpCallerPeer, fn: Fn, args: CallArgs): Promise<unknown> {
  if (args.kind === 'positional') return await fn(...((await peer.rpc.decode(args.args)) as unknown[]));
  const kwargs = (await peer.rpc.decode(args.kwargs)) as Record<string, unknown>;
  if (Object.keys(kwargs).length === 0) return await fn();
  return await fn({ ...kwargs, _rkwargs: true });
}
