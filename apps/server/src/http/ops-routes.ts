/**
 * Operational routes: `/metrics`, `/health` (diagnostics), the browser client bundles under `/assets/`, `/login` and a
 * small JSON landing at `/` and `/{workspace}`, and `/{workspace}/info` (the WorkspaceInfo).
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { BUNDLES, bundlePath, findRpcPackageDir } from './rpc-bundle.js';
import { HttpError, badRequest, notFound, sendError } from './http-errors.js';
import { authenticate } from './request-auth.js';
import { WORKSPACE_RE } from './surface-deps.js';
import type { HttpSurfaceDeps } from './surface-deps.js';
import { checkPermission } from '@hypha/auth';

export function opsRoutes(deps: HttpSurfaceDeps, rpcPackageDir = findRpcPackageDir()): Router {
  const router = Router();
  const { core } = deps;

  router.get('/metrics', async (_req: Request, res: Response) => {
    try {
      const { contentType, body } = await deps.metrics.render();
      res.type(contentType).send(body);
    } catch (err) {
      sendError(res, err);
    }
  });

  for (const name of Object.keys(BUNDLES) as Array<keyof typeof BUNDLES>) {
    router.get(`/assets/${name}`, (_req: Request, res: Response) => {
      const found = bundlePath(name, rpcPackageDir);
      if ('error' in found) {
        res.status(404).json({ success: false, detail: found.error });
        return;
      }
      res.type('application/javascript').sendFile(found.path, { headers: { 'Cache-Control': 'no-cache' } });
    });
  }

  // Diagnostics as the reference's `/health` (the probes are /health/liveness and /readiness).
  router.get('/health', async (_req: Request, res: Response) => {
    try {
      const bus = await core.bus.health();
      const memory = process.memoryUsage();
      const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;
      const issues = bus.healthy ? [] : [`event bus: ${bus.reason ?? 'unhealthy'}`];
      res.status(bus.healthy ? 200 : 503).json({
        timestamp: new Date().toISOString(),
        status: bus.healthy ? 'HEALTHY' : 'CRITICAL',
        health_score: bus.healthy ? 100 : 0,
        issues,
        memory: { rss_mb: mb(memory.rss), heap_used_mb: mb(memory.heapUsed), heap_total_mb: mb(memory.heapTotal), external_mb: mb(memory.external) },
        connections: {
          active: core.gateway.sessionCount,
          total_created: core.gateway.totals.opened,
          total_closed: core.gateway.totals.closed,
        },
        objects: { connection_objects: core.router.size },
        event_bus: bus,
        uptime_seconds: Math.round(process.uptime() * 100) / 100,
      });
    } catch (err) {
      sendError(res, err);
    }
  });

  // The caller (anonymous without a token) and the server info, for browser pages (server-api §3.1).
  router.get('/assets/config.json', async (req: Request, res: Response) => {
    try {
      const { user } = await authenticate(deps.auth, req);
      res.json({ user, ...core.manager.serverInfo });
    } catch (err) {
      sendError(res, err);
    }
  });

  router.get('/login', (_req: Request, res: Response) => {
    res.redirect(307, `${deps.basePath}/public/apps/hypha-login/`);
  });

  const describe = () => {
    const s = core.manager.serverInfo;
    return {
      name: 'Hypha',
      hypha_version: s.hypha_version,
      server_id: s.server_id,
      public_base_url: s.public_base_url,
      websocket_url: `${s.public_base_url.replace(/^http/, 'ws')}/ws`,
      http_rpc_url: `${s.public_base_url}/rpc`,
      client_bundle: `${s.public_base_url}/assets/hypha-rpc-websocket.js`,
      login_url: `${s.public_base_url}/public/apps/hypha-login/`,
      metrics_url: `${s.public_base_url}/metrics`,
    };
  };

  router.get('/', (_req: Request, res: Response) => {
    res.json(describe());
  });

  router.get('/:workspace/info', async (req: Request, res: Response) => {
    try {
      const ws = String(req.params.workspace);
      if (!WORKSPACE_RE.test(ws)) throw badRequest(`Invalid workspace name: ${JSON.stringify(ws)}`);
      const { user } = await authenticate(deps.auth, req);
      if (ws !== 'public' && !checkPermission(user, ws, 'r')) throw new HttpError(403, `Permission denied for workspace ${ws}`);
      const info = await core.workspaces.get(ws);
      if (!info) throw notFound(`Workspace not found: ${ws}`);
      res.json(info);
    } catch (err) {
      sendError(res, err);
    }
  });

  router.get('/:workspace', async (req: Request, res: Response) => {
    try {
      const ws = String(req.params.workspace);
      if (!WORKSPACE_RE.test(ws)) {
        res.status(404).json({ success: false, detail: `Not found: ${req.path}` });
        return;
      }
      const { user } = await authenticate(deps.auth, req);
      const info = await core.workspaces.get(ws);
      if (!info) {
        res.status(404).json({ success: false, detail: `Workspace ${ws} does not exist` });
        return;
      }
      const base = `${core.manager.serverInfo.public_base_url}/${ws}`;
      res.json({
        workspace: ws,
        name: info.name,
        description: info.description,
        readable: ws === 'public' || checkPermission(user, ws, 'r'),
        services_url: `${base}/services/`,
        manager_url: `${base}/services/ws`,
        apps_url: `${base}/apps/`,
        server: describe(),
      });
    } catch (err) {
      sendError(res, err);
    }
  });
  return router;
}
