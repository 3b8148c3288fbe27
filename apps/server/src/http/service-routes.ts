/**
 * `/{workspace}/services/...` (server-api §3.1/§3.2): list, describe and call services over HTTP.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { UserInfo } from '@hypha/auth';
import { listServices } from '@hypha/workspace/internal';
import { requestArgs } from './call-args.js';
import { guardCall, providerOf } from './call-guard.js';
import type { CallerLease } from './http-caller-pool.js';
import { actingUser, callerWorkspace } from './http-caller.js';
import { badRequest, sendError } from './http-errors.js';
import { authenticate } from './request-auth.js';
import { isAsyncIterable, streamResult, toPlain, writeResult } from './result-writer.js';
import { callManager, callRemote, managerService, resolveService, serviceMember } from './service-call.js';
import { WORKSPACE_RE } from './surface-deps.js';
import type { HttpSurfaceDeps } from './surface-deps.js';

type Fn = (...args: unknown[]) => unknown;

export function serviceRoutes(deps: HttpSurfaceDeps): Router {
  const { core, auth } = deps;
  const router = Router();
  const logFailure = (err: unknown, status: number) =>
    deps.log('error', 'HTTP service request failed', { status, error: err instanceof Error ? err.message : String(err) });

  /** Authenticates, checks the URL workspace and lends the request the caller's pooled peer. */
  async function withCaller<T>(req: Request, fn: (lease: CallerLease, user: UserInfo, ws: string) => Promise<T>): Promise<T> {
    const ws = String(req.params.workspace);
    if (!WORKSPACE_RE.test(ws)) throw badRequest(`Invalid workspace name: ${JSON.stringify(ws)}`);
    const user = await actingUser(core, (await authenticate(auth, req)).user, ws);
    await core.manager.loadOrCreateWorkspace(user, ws);
    const lease = await deps.callers.acquire(user, callerWorkspace(user, ws));
    try {
      return await fn(lease, user, ws);
    } finally {
      lease.release();
    }
  }

  const mode = (req: Request): string | undefined => (typeof req.query._mode === 'string' && req.query._mode ? req.query._mode : undefined);

  router.get('/:workspace/services', async (req: Request, res: Response) => {
    try {
      const list = await withCaller(req, async ({ peer }, _user, ws) =>
        listServices(core.manager, peer.context(core.managerId), { workspace: ws }, false),
      );
      res.json(list.map((info) => ({ ...(toPlain(info, true) as object), id: info.id.split('/').pop() })));
    } catch (err) {
      sendError(res, err, logFailure);
    }
  });

  router.get('/:workspace/services/:service_id', async (req: Request, res: Response) => {
    try {
      const body = await withCaller(req, async ({ peer }, _user, ws) => {
        const serviceId = String(req.params.service_id);
        const resolved = await resolveService(core, peer, ws, serviceId, mode(req));
        if (resolved.kind === 'remote') return resolved.info;
        // `ws` is the manager object itself; `~` its service info (reference `get_service_info("~")`).
        return serviceId === 'ws' ? managerService(core) : core.manager.managerServiceInfo();
      });
      res.json(toPlain(body, true));
    } catch (err) {
      sendError(res, err, logFailure);
    }
  });

  const call = async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    try {
      const key = String(req.params.function_key);
      await withCaller(req, async (lease, _user, ws) => {
        const { peer } = lease;
        const resolved = await resolveService(core, peer, ws, String(req.params.service_id), mode(req));
        // The body is read only once the caller is authenticated and the target resolved (issue
        // #10 item 8), streamed with the size limit.
        const { args, format } = await requestArgs(req, deps.bodyLimit);
        const member = await serviceMember(core, lease, resolved, key, deps.callTimeout);
        if (typeof member !== 'function') {
          writeResult(res, member, format);
          return;
        }
        const result =
          resolved.kind === 'manager'
            ? await callManager(member as Fn, args, peer.context(core.managerId))
            : await guardCall(core, callRemote(peer, member as Fn, args), {
                provider: providerOf(resolved.info.id),
                what: `${resolved.info.id}.${key}`,
                timeoutSeconds: deps.callTimeout,
              });
        if (isAsyncIterable(result)) await streamResult(res, result, format);
        else writeResult(res, result, format);
      });
    } catch (err) {
      sendError(res, err, logFailure);
    } finally {
      deps.metrics.observeHttpCall(res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  router.get('/:workspace/services/:service_id/:function_key', call);
  router.post('/:workspace/services/:service_id/:function_key', call);
  return router;
}
