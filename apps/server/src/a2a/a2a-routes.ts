/**
 * `/{ws}/a2a/{service_id}/...` and `/{ws}/a2a-info/{service_id}` (`--enable-a2a`, server-api-2 §D):
 * services of type `a2a` as A2A 0.3 agents. The caller is authenticated and the service resolved
 * as the caller on every request; task stores live per service in the host.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { A2AAgentHost, buildAgentCard } from '@hypha/a2a';
import type { AgentCardJson, HyphaAgentService, RunFunction } from '@hypha/a2a';
import type { CallerLease } from '../http/http-caller-pool.js';
import { callerService } from '../http/caller-service.js';
import { HttpError, sendError } from '../http/http-errors.js';
import { readBody } from '../http/read-body.js';
import type { HttpSurfaceDeps } from '../http/surface-deps.js';

const MESSAGE_LIMIT = 16 * 1024 * 1024;

interface Agent {
  key: string;
  service: HyphaAgentService;
  card: AgentCardJson;
  lease: CallerLease;
}

export function a2aRoutes(deps: HttpSurfaceDeps): Router {
  const { core } = deps;
  const router = Router();
  const host = new A2AAgentHost();
  const logFailure = (err: unknown, status: number) =>
    deps.log('error', 'A2A request failed', { status, error: err instanceof Error ? err.message : String(err) });

  const endpoint = (ws: string, sid: string) => `${core.manager.serverInfo.public_base_url}${deps.basePath}/${ws}/a2a/${sid}/`;

  /** The agent as the caller sees it (only services of type `a2a`); the lease must be released. */
  async function agent(req: Request): Promise<Agent> {
    const found = await callerService(deps, req, (resolved, sid) => {
      if (resolved.kind !== 'remote' || resolved.info.type !== 'a2a') {
        throw new HttpError(400, `Service ${sid} is not an A2A agent (its type must be "a2a")`);
      }
    });
    try {
      const service = found.service as HyphaAgentService;
      if (typeof service.run !== 'function') throw new HttpError(400, `A2A service ${found.sid} has no run function`);
      const key = found.resolved.kind === 'remote' ? found.resolved.info.id : found.sid;
      return { key, service, card: await buildAgentCard(service, endpoint(found.ws, found.sid)), lease: found.lease };
    } catch (err) {
      found.lease.release();
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
