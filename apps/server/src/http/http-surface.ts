/**
 * Mounts the HTTP surface (server-api §3, rpc-protocol §10) on the server's express app:
 * `/rpc`, `/metrics`, `/assets/*`, `/login`, `/{ws}/services/*`, `/{ws}/apps/*`, the landing
 * JSON at `/`, `/{ws}` and `/{ws}/info`, CORS (`allowOrigins`) and a JSON 404 for anything else,
 * and registers the `public/hypha-login` service.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import type { AuthService } from '@hypha/auth';
import type { HyphaCore } from '@hypha/workspace';
import { HttpCallerPool } from './http-caller-pool.js';
import { HttpMetrics } from './metrics.js';
import { opsRoutes } from './ops-routes.js';
import { serviceRoutes } from './service-routes.js';
import { RpcTransport } from './rpc-transport.js';
import { appRoutes } from './app-routes.js';
import { LoginService } from './login-service.js';
import type { HttpLog, HttpSurfaceDeps } from './surface-deps.js';
import { sendError } from './http-errors.js';
import { corsMiddleware } from './cors.js';
import { mcpRoutes } from '../mcp/mcp-routes.js';
import { a2aRoutes } from '../a2a/a2a-routes.js';

export interface HttpSurfaceOptions {
  /** Largest request body read whole (service calls, functions apps), in bytes (default 100 MiB). */
  httpBodyLimit?: number;
  /** Seconds an HTTP service call may take before answering 504 (default 30). */
  httpCallTimeout?: number;
  /** Seconds between keep-alive pings on idle `/rpc` streams (default 15). */
  httpStreamPingInterval?: number;
  /** Bytes an `/rpc` stream may hold for a client that reads too slowly before it is ended (default 64 MiB). */
  httpStreamMaxBuffered?: number;
  /** Origins allowed by CORS (`--allow-origins`; default `["*"]`). */
  allowOrigins?: string[];
  /** MCP routes `/{ws}/mcp/...` (`--enable-mcp`). */
  enableMcp?: boolean;
  /** A2A routes `/{ws}/a2a/...` (`--enable-a2a`). */
  enableA2a?: boolean;
}

export interface HttpSurface {
  metrics: HttpMetrics;
  /** The default `public/hypha-login` (replaced by `register_auth_service`). */
  login: LoginService;
  close(): Promise<void>;
}

export interface MountOptions extends HttpSurfaceOptions {
  core: HyphaCore;
  auth: AuthService;
  basePath: string;
  log: HttpLog;
}

export async function mountHttpSurface(app: Express, o: MountOptions, beforeNotFound?: (app: Express) => void): Promise<HttpSurface> {
  const metrics = new HttpMetrics(o.core);
  const callTimeout = o.httpCallTimeout ?? 30;
  const deps: HttpSurfaceDeps = {
    core: o.core,
    auth: o.auth,
    basePath: o.basePath.replace(/\/$/, ''),
    bodyLimit: o.httpBodyLimit ?? 100 * 1024 * 1024,
    callTimeout,
    metrics,
    callers: new HttpCallerPool(o.core, { methodTimeout: callTimeout }),
    log: o.log,
  };
  const base = deps.basePath || '/';
  const pingSeconds = o.httpStreamPingInterval ?? 15;
  const rpc = new RpcTransport(deps, { pingSeconds, endTimeoutSeconds: 2 * pingSeconds, maxBuffered: o.httpStreamMaxBuffered ?? 64 * 1024 * 1024 });
  // The apps proxy sits outside the CORS policy in the reference (functions apps add their own).
  app.use(base, corsMiddleware(o.allowOrigins ?? ['*'], (path) => /^\/[^/]+\/apps(\/|$)/.test(path)));
  app.use(base, rpc.routes());
  const mcp = o.enableMcp ? mcpRoutes(deps) : null;
  if (mcp) app.use(base, mcp.router);
  if (o.enableA2a) app.use(base, a2aRoutes(deps));
  app.use(base, serviceRoutes(deps));
  app.use(base, appRoutes(deps));
  app.use(base, opsRoutes(deps));
  beforeNotFound?.(app);
  app.use((req: Request, res: Response) => {
    res.status(404).json({ success: false, detail: `Not found: ${req.method} ${req.path}` });
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    sendError(res, err, (e, status) => o.log('error', 'HTTP request failed', { status, error: String(e) }));
  });
  const login = new LoginService(o.core, o.auth);
  await login.start();
  return {
    metrics,
    login,
    async close() {
      rpc.close();
      await mcp?.close();
      await deps.callers.close();
      await login.stop();
    },
  };
}
