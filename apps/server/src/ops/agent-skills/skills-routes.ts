/**
 * HTTP routes of agent skills: `/ws/agent-skills/<path>` (global) and `/{workspace}/agent-skills/<path>`
 * (any workspace name maps to the public service; non-public ones need a token), with CORS for any
 * origin; and the `public/agent-skills` functions service behind `/public/apps/agent-skills/`.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { AuthService } from '@hypha/auth';
import { authenticate } from '../../http/request-auth.js';
import { sendError } from '../../http/http-errors.js';
import type { AgentSkills, SkillResponse } from './agent-skills.js';

function send(res: Response, r: SkillResponse): void {
  res.status(r.status).setHeader('Content-Type', r.contentType);
  for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
  res.end(typeof r.body === 'string' ? r.body : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength));
}

export function agentSkillsRouter(skills: AgentSkills, auth: AuthService): Router {
  const router = Router();
  const handle = (global: boolean) => async (req: Request, res: Response) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    try {
      const { user } = await authenticate(auth, req);
      const rest = ((req.params.path as string[] | undefined) ?? []).join('/');
      send(res, await skills.render(global ? null : String(req.params.workspace), rest, user));
    } catch (err) {
      sendError(res, err, () => undefined);
    }
  };
  router.all('/ws/agent-skills{/*path}', handle(true));
  router.all('/:workspace/agent-skills{/*path}', handle(false));
  return router;
}

/** The `public/agent-skills` functions service: every path is answered for the public workspace. */
export function agentSkillsService(skills: AgentSkills): Record<string, unknown> {
  const serve = async (scope: { path?: string; user?: never }) => {
    const r = await skills.render('public', String(scope.path ?? '/'), scope.user ?? anonymous());
    return { status: r.status, headers: { 'Content-Type': r.contentType, 'Access-Control-Allow-Origin': '*', ...(r.headers ?? {}) }, body: r.body };
  };
  return {
    id: 'agent-skills',
    name: 'Agent Skills',
    type: 'functions',
    description: 'Documentation for AI agents generated from the live services of this server.',
    config: { visibility: 'public', require_context: false },
    index: serve,
    default: serve,
  };
}

function anonymous(): never {
  return { id: 'anonymouz-http', is_anonymous: true, roles: ['anonymous'], scope: { workspaces: {} } } as never;
}
