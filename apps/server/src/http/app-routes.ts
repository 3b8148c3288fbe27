/**
 * `/{workspace}/apps/{service_id}/{path}` (server-api §3.3): HTTP apps served by `functions` and
 * `asgi` services, any method, streaming bodies.
 */
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { appPathSegments } from './app-path.js';
import { ProviderGoneError, guardCall, providerOf } from './call-guard.js';
import { asgiChannel, asgiScope } from './asgi-app.js';
import { serveFunctionsApp } from './functions-app.js';
import { HttpCallerPeer } from './http-caller.js';
import { HttpError, badRequest, sendError } from './http-errors.js';
import { authenticate } from './request-auth.js';
import { resolveService, serviceObject } from './service-call.js';
import { WORKSPACE_RE } from './surface-deps.js';
import type { HttpSurfaceDeps } from './surface-deps.js';

export function appRoutes(deps: HttpSurfaceDeps): Router {
  const { core } = deps;
  const router = Router();

  router.get('/:workspace/apps/:service_id', (req: Request, res: Response, next: NextFunction) => {
    // express matches `/x/` here too (non-strict routing); only the bare path redirects
    if (req.path.endsWith('/')) {
      next();
      return;
    }
    const q = new URL(req.originalUrl, 'http://localhost').search;
    res.redirect(307, `${deps.basePath}/${req.params.workspace}/apps/${req.params.service_id}/${q}`);
  });

  router.all('/:workspace/apps/:service_id/{*path}', async (req: Request, res: Response) => {
    let peer: HttpCallerPeer | null = null;
    try {
      const ws = String(req.params.workspace);
      const serviceId = String(req.params.service_id);
      if (!WORKSPACE_RE.test(ws)) throw badRequest(`Invalid workspace name: ${JSON.stringify(ws)}`);
      const segments = appPathSegments(req.params.path as string[] | undefined);
      const { user } = await authenticate(deps.auth, req);
      await core.manager.loadOrCreateWorkspace(user, ws);
      // The reference's ASGI routing acts in the URL workspace for every caller; service
      // visibility and the caller's permissions decide what it may reach there.
      peer = await HttpCallerPeer.open(core, user, ws, deps.callTimeout);
      const mode = typeof req.query._mode === 'string' && req.query._mode ? req.query._mode : undefined;
      const resolved = await resolveService(core, peer, ws, serviceId, mode);
      if (resolved.kind === 'manager') throw new HttpError(500, 'Invalid service type: the workspace manager is not an app');
      const type = resolved.info.type;
      const service = await serviceObject(core, peer, resolved, deps.callTimeout);
      const scopeBase = {
        type: 'http',
        method: req.method,
        path: `/${segments.join('/')}`,
        workspace: ws,
        service_id: serviceId,
      };
      const provider = providerOf(resolved.info.id);
      if (type === 'functions') {
        await serveFunctionsApp(req, res, service, segments, scopeBase, user, deps.bodyLimit, (call) =>
          guardCall(core, call, { provider, what: `app ${serviceId}`, timeoutSeconds: deps.callTimeout }),
        );
      } else if (type === 'asgi' || type === 'ASGI') {
        if (typeof service.serve !== 'function') throw new HttpError(500, `The asgi service ${serviceId} has no serve function`);
        const channel = asgiChannel(req, res);
        const scope = asgiScope(req, segments, `${deps.basePath}/${ws}/apps/${serviceId}`, { workspace: ws, service_id: serviceId });
        // No whole-call deadline: an app may stream for as long as its client keeps reading.
        const serving = guardCall(core, (service.serve as (arg: unknown) => Promise<unknown>)({ scope, receive: channel.receive, send: channel.send }), {
          provider,
          what: `app ${serviceId}`,
        });
        try {
          await serving;
        } catch (err) {
          // A provider that leaves after sending the whole response has answered; anything else
          // after the response (the app failing late) is still reported.
          if (!channel.complete) throw err;
          if (!(err instanceof ProviderGoneError)) deps.log('error', 'asgi app failed after answering', { service: serviceId, error: String(err) });
        }
        if (!channel.started) throw new HttpError(502, `The asgi app ${serviceId} finished without sending a response`);
        if (!res.writableEnded) res.end();
      } else {
        throw new HttpError(500, `Invalid service type: ${String(type)} (expected functions or asgi)`);
      }
    } catch (err) {
      sendError(res, err, (e, status) => deps.log('error', 'HTTP app request failed', { status, error: String(e) }));
    } finally {
      await peer?.close();
    }
  });
  return router;
}
