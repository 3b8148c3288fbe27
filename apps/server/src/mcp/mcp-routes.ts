/**
 * `/{ws}/mcp/...` (`--enable-mcp`, server-api-2 §C): every service as an MCP server. The caller is
 * authenticated and the service resolved with the caller's own peer on every request, so
 * visibility and permissions hold per caller (nothing is cached across callers). Streamable HTTP
 * is stateless JSON; the SSE transport keeps one session per open event stream.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { createMcpAdapter, createMcpServer, describeMcpService, handleStreamableHttp, McpAdapterError, SseSessions } from '@hypha/mcp';
import type { HyphaService } from '@hypha/mcp';
import type { UserInfo } from '@hypha/auth';
import type { CallerLease } from '../http/http-caller-pool.js';
import { callerService } from '../http/caller-service.js';
import { HttpError, sendError } from '../http/http-errors.js';
import { readBody } from '../http/read-body.js';
import { authenticate } from '../http/request-auth.js';
import type { HttpSurfaceDeps } from '../http/surface-deps.js';

const MESSAGE_LIMIT = 4 * 1024 * 1024;

interface Resolved {
  service: HyphaService;
  lease: CallerLease;
  user: UserInfo;
}

export interface McpRoutes {
  router: Router;
  close(): Promise<void>;
}

export function mcpRoutes(deps: HttpSurfaceDeps): McpRoutes {
  const { auth } = deps;
  const router = Router();
  const sse = new SseSessions<string>();
  const logFailure = (err: unknown, status: number) =>
    deps.log('error', 'MCP request failed', { status, error: err instanceof Error ? err.message : String(err) });

  /** The service as the caller sees it; the lease must be released. */
  async function resolve(req: Request): Promise<Resolved> {
    const { service, lease, user } = await callerService(deps, req);
    return { service: service as HyphaService, lease, user };
  }

  function adapterFor(service: HyphaService) {
    try {
      return createMcpAdapter(service);
    } catch (err) {
      // The provider registered something MCP cannot serve: a server-side fault, as the reference answers.
      if (err instanceof McpAdapterError) throw new HttpError(500, err.message, { cause: err });
      throw err;
    }
  }

  const endpoints = (ws: string, sid: string) => ({
    streamable_http: `${deps.basePath}/${ws}/mcp/${sid}/mcp`,
    sse: `${deps.basePath}/${ws}/mcp/${sid}/sse`,
  });

  /** A JSON-RPC body, or a 400 with the protocol's parse error. */
  async function jsonBody(req: Request, res: Response): Promise<{ ok: true; body: unknown } | { ok: false }> {
    const raw = await readBody(req, MESSAGE_LIMIT);
    try {
      return { ok: true, body: JSON.parse(raw.toString('utf8')) };
    } catch (err) {
      res.status(400).json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${(err as Error).message}` } });
      return { ok: false };
    }
  }

  router.get('/:workspace/mcp', (req, res) => res.redirect(301, `${deps.basePath}/${req.params.workspace}/mcp/`));
  router.get('/:workspace/mcp/', (req, res) => {
    res.json({ help: `Please specify a service ID. URL format: /${req.params.workspace}/mcp/{service_id}/mcp` });
  });

  router.post('/:workspace/mcp/:service_id/mcp', async (req, res) => {
    let resolved: Resolved | undefined;
    try {
      resolved = await resolve(req);
      const server = createMcpServer(adapterFor(resolved.service), { name: String(req.params.service_id) });
      const parsed = await jsonBody(req, res);
      if (parsed.ok) await handleStreamableHttp(server, req, res, parsed.body);
    } catch (err) {
      sendError(res, err, logFailure);
    } finally {
      resolved?.lease.release();
    }
  });

  const methodNotAllowed = (_req: Request, res: Response) => {
    res.status(405).set('Allow', 'POST').json({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Method not allowed: this endpoint is stateless; use POST' } });
  };
  router.get('/:workspace/mcp/:service_id/mcp', methodNotAllowed);
  router.delete('/:workspace/mcp/:service_id/mcp', methodNotAllowed);

  router.get('/:workspace/mcp/:service_id/sse', async (req, res) => {
    let resolved: Resolved | undefined;
    try {
      resolved = await resolve(req);
      const server = createMcpServer(adapterFor(resolved.service), { name: String(req.params.service_id) });
      const lease = resolved.lease;
      resolved = undefined; // the stream owns the lease from here on
      const path = `${deps.basePath}/${req.params.workspace}/mcp/${req.params.service_id}/sse/messages/`;
      await sse.open(server, path, res, lease.peer.user.id, () => lease.release());
    } catch (err) {
      resolved?.lease.release();
      if (!res.headersSent) sendError(res, err, logFailure);
      else res.end();
    }
  });

  router.post('/:workspace/mcp/:service_id/sse/messages', async (req, res) => {
    try {
      const id = String(req.query.sessionId ?? req.query.session_id ?? '');
      const owner = sse.owner(id);
      if (owner === undefined) {
        res.status(404).json({ error: 'SSE session not found. Please reconnect.' });
        return;
      }
      const { user } = await authenticate(auth, req);
      if (user.id !== owner) throw new HttpError(403, 'This SSE session belongs to another user');
      const parsed = await jsonBody(req, res);
      if (parsed.ok && !(await sse.post(id, req, res, parsed.body))) {
        res.status(404).json({ error: 'SSE session not found. Please reconnect.' });
      }
    } catch (err) {
      sendError(res, err, logFailure);
    }
  });

  router.get('/:workspace/mcp/:service_id', async (req, res) => {
    let resolved: Resolved | undefined;
    try {
      resolved = await resolve(req);
      const ws = String(req.params.workspace);
      const sid = String(req.params.service_id);
      res.json(await describeMcpService(adapterFor(resolved.service), resolved.service, endpoints(ws, sid)));
    } catch (err) {
      sendError(res, err, logFailure);
    } finally {
      resolved?.lease.release();
    }
  });

  return { router, close: () => sse.closeAll() };
}
