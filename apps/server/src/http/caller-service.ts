/**
 * The service a `/{workspace}/<adapter>/{service_id}` request (MCP, A2A) is about, as the caller
 * sees it: the request is authenticated and the service resolved with the caller's pooled peer on
 * every request, so visibility and permissions hold per caller; its description comes from that
 * peer's cache. A service that does not exist or
 * that the caller may not see is a 404.
 */
import type { Request } from 'express';
import type { UserInfo } from '@hypha/auth';
import { isNotFoundError, isPermissionDeniedError } from '@hypha/service';
import type { CallerLease } from './http-caller-pool.js';
import { callerWorkspace } from './http-caller.js';
import { HttpError, badRequest } from './http-errors.js';
import { authenticate } from './request-auth.js';
import { cachedServiceObject, resolveService } from './service-call.js';
import type { ResolvedService } from './service-call.js';
import { WORKSPACE_RE } from './surface-deps.js';
import type { HttpSurfaceDeps } from './surface-deps.js';

export interface CallerService {
  ws: string;
  sid: string;
  user: UserInfo;
  resolved: ResolvedService;
  service: Record<string, unknown>;
  /** Release it when the request (or the stream) is done. */
  lease: CallerLease;
}

/**
 * Resolves `req.params.workspace` / `req.params.service_id` as the caller; `check` may refuse the
 * resolved service before it is fetched. On failure the lease is released.
 */
export async function callerService(deps: HttpSurfaceDeps, req: Request, check?: (resolved: ResolvedService, sid: string) => void): Promise<CallerService> {
  const { core } = deps;
  const ws = String(req.params.workspace);
  if (!WORKSPACE_RE.test(ws)) throw badRequest(`Invalid workspace name: ${JSON.stringify(ws)}`);
  const sid = String(req.params.service_id);
  const { user } = await authenticate(deps.auth, req);
  await core.manager.loadOrCreateWorkspace(user, ws);
  const lease = await deps.callers.acquire(user, callerWorkspace(user, ws));
  try {
    const mode = typeof req.query._mode === 'string' && req.query._mode ? req.query._mode : undefined;
    const resolved = await resolveService(core, lease.peer, ws, sid, mode);
    check?.(resolved, sid);
    const service = await cachedServiceObject(core, lease, resolved, deps.callTimeout);
    return { ws, sid, user, resolved, service, lease };
  } catch (err) {
    lease.release();
    if (isNotFoundError(err) || isPermissionDeniedError(err)) {
      throw new HttpError(404, `Service ${sid} not found or not accessible`, { cause: err });
    }
    throw err;
  }
}
