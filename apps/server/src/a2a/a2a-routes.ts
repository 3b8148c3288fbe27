/**
 * `/{ws}/a2a/{service_id}/...` and `/{ws}/a2a-info/{service_id}` (`--enable-a2a`, server-api-2 §D):
 * services of type `a2a` as A2A 0.3 agents. The caller is authenticated and the service resolved
 * as the caller on every request; task stores live per service in the host.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { A2AAgentHost, buildAgentCard } from '@hypha/a2a';
import type { AgentCardJson, HyphaAgentService, RunFunction } from '@hypha/a2a';
import { isNotFoundError, isPermissionDeniedError } from '@hypha/workspace';
import type { CallerLease } from '../http/http-caller-pool.js';
import { callerWorkspace } from '../http/http-caller.js';
import { HttpError, badRequest, sendError } from '../http/http-errors.js';
import { readBody } from '../http/read-body.js';
import { authenticate } from '../http/request-auth.js';
import { resolveService, serviceObject } from '../http/service-call.js';
import { WORKSPACE_RE } from '../http/surface-deps.js';
import type { HttpSurfaceDeps } from '../http/surface-deps.js';

const MESSAGE_LIMIT = 16 * 1024 * 1024;

interface Agent {
  key: string;
  service: HyphaAgentService;
  card: AgentCardJson;
  lease: CallerLease;
}

export function a2aRoutes(deps: HttpSurfaceDeps): Router {
  const { core, auth } = deps;
  const router = Router();
  const host = new A2AAgentHost();
  const logFailure = (err: unknown, status: number) =>
    deps.log('error', 'A2A request failed', { status, error: err instanceof Error ? err.message : String(err) });

  const endpoint = (ws: string, sid: string) => `${core.manager.serverInfo.public_base_url}${deps.basePath}/${ws}/a2a/${sid}/`;

  /** Authenticates, resolves the service as the caller and checks it is an agent; release the lease. */
  async function agent(req: Request): Promise<Agent> {
    const ws = String(req.params.workspace);
    if (!WORKSPACE_RE.test(ws)) throw badRequest(`Invalid workspace name: ${JSON.stringify(ws)}`);
    const sid = String(req.params.service_id);
    const { user } = await authenticate(auth, req);
    await core.manager.loadOrCreateWorkspace(user, ws);
    const lease = await deps.callers.acquire(user, callerWorkspace(user, ws));
    try {
      const mode = typeof req.query._mode === 'string' && req.query._mode ? req.query._mode : undefined;
      const resolved = await resolveService(core, lease.peer, ws, sid, mode);
      if (resolved.kind !== 'remote' || resolved.info.type !== 'a2a') {
        throw new HttpError(400, `Service ${sid} is not an A2A agent (its type must be "a2a")`);
      }
      const service = (await serviceObject(core, lease.peer, resolved, deps.callTimeout)) as HyphaAgentService;
      if (typeof service.run !== 'function') throw new HttpError(400, `A2A service ${sid} has no run function`);
      return { key: resolved.info.id, service, card: await buildAgentCard(service, endpoint(ws, sid)), lease };
    } catch (err) {
      lease.release();
      if (isNotFoundError(err) || isPermissionDeniedError(err)) {
        throw new HttpError(404, `Service ${sid} not found or not accessible`, { cause: err });
      }
      throw err;
    }
  }

  const card = async (req: Request, res: Response) => {
    let a: Agent | undefined;
    try {
      a = await agent(req);
      res.json(a.card);
    } catch (err) {
      sendError(res, err, logFailure);
    } finally {
      a?.lease.release();
    }
  };
  router.get('/:workspace/a2a/:service_id/.well-known/agent-card.json', card);
  router.get('/:workspace/a2a/:service_id/.well-known/agent.json', card);

  router.get('/:workspace/a2a-info/:service_id', async (req, res) => {
    let a: Agent | undefined;
    try {
      a = await agent(req);
      const ws = String(req.params.workspace);
      const sid = String(req.params.service_id);
      res.json({
        service: { id: a.key, name: a.service.name ?? sid, type: 'a2a', description: a.service.description ?? '' },
        agent_card: a.card,
        endpoints: { a2a: `${deps.basePath}/${ws}/a2a/${sid}/`, info: `${deps.basePath}/${ws}/a2a-info/${sid}` },
      });
    } catch (err) {
      sendError(res, err, logFailure);
    } finally {
      a?.lease.release();
    }
  });

  const rpc = async (req: Request, res: Response) => {
    let a: Agent | undefined;
    try {
      a = await agent(req);
      const raw = await readBody(req, MESSAGE_LIMIT);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        res.status(400).json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${(err as Error).message}` } });
        return;
      }
      const run = a.service.run as RunFunction;
      const answer = await host.handle(a.key, a.card, run, body);
      if (Symbol.asyncIterator in answer) {
        res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.flushHeaders();
        for await (const envelope of answer as AsyncGenerator<Record<string, unknown>>) {
          res.write(`data: ${JSON.stringify(envelope)}\n\n`);
        }
        res.end();
      } else {
        res.json(answer);
      }
    } catch (err) {
      if (!res.headersSent) sendError(res, err, logFailure);
      else res.end();
    } finally {
      a?.lease.release();
    }
  };
  router.post('/:workspace/a2a/:service_id', rpc);
  router.post('/:workspace/a2a/:service_id/', rpc);
  return router;
}
