/**
 * Operator features mounted on a running server: static mounts, the block list, `admin-utils`,
 * agent skills, local accounts and the startup functions (server-api §6.7–6.10).
 */
import type { Express } from 'express';
import type { AuthService, UserInfo } from '@hypha/auth';
import { InvalidTokenError } from '@hypha/auth';
import type { HyphaCore } from '@hypha/workspace';
import type { LoginService } from '../http/login-service.js';
import type { OpsConfig, StaticMount } from '../ops-config.js';
import type { WebsocketEndpoint } from '../websocket-endpoint.js';
import { adminUtilsRpc } from './admin-utils.js';
import { AdminTerminal } from './admin-terminal.js';
import { BlockList, clientIp } from './block-list.js';
import { staticMountRouter } from './static-mounts.js';
import { StartupApi } from './startup-server-api.js';
import { runStartupFunctions } from './startup-functions.js';
import { installLocalAuth } from './local-auth/local-auth.js';
import { AgentSkills } from './agent-skills/agent-skills.js';
import { ServiceCatalog } from './agent-skills/service-docs.js';
import { agentSkillsRouter, agentSkillsService } from './agent-skills/skills-routes.js';

export interface OpsRoutesOptions {
  basePath: string;
  staticMounts: StaticMount[];
  blocks: BlockList;
  core: HyphaCore;
  auth: AuthService;
  disableAgentSkills: boolean;
}

/** What the routes mounted before the HTTP surface share with `startOps` (filled in there). */
export interface OpsShared {
  blocks: BlockList;
  skills: AgentSkills | null;
  /** A root client of `public` (set by startOps), whose manager proxy carries the method schemas. */
  publicClient: (() => Promise<Record<string, unknown>>) | null;
}

/** Routes that go before the HTTP surface: the IP block check and the static mounts. */
export async function mountOpsRoutes(app: Express, o: OpsRoutesOptions): Promise<OpsShared> {
  const shared: OpsShared = { blocks: o.blocks, skills: null, publicClient: null };
  app.use(async (req, res, next) => {
    try {
      const reason = await o.blocks.reason('ip', clientIp(req));
      if (reason === null) return next();
      res.status(403).json({ success: false, detail: `IP blocked: ${reason}` });
    } catch (err) {
      // The block list lives in the event bus: while it is unreachable (Redis restarting) the
      // server cannot tell whether the caller is blocked and says so, instead of a bare 500.
      const detail = err instanceof Error ? err.message : String(err);
      res.status(503).json({ success: false, detail: `Service unavailable: the event bus is unreachable, so the IP block list cannot be checked (${detail})` });
    }
  });
  for (const mount of o.staticMounts) app.use(o.basePath || '/', await staticMountRouter(mount));
  if (!o.disableAgentSkills) {
    let schemas: Promise<Record<string, Record<string, unknown>>> | null = null;
    const managerSchemas = () => {
      schemas ??= (async () => {
        if (!shared.publicClient) throw new Error('agent skills: the server is still starting');
        return managerSchemasOf(await shared.publicClient());
      })();
      schemas.catch(() => (schemas = null));
      return schemas;
    };
    const catalog = new ServiceCatalog({ core: o.core, managerSchemas });
    shared.skills = new AgentSkills(catalog, () => o.core.manager.serverInfo.public_base_url, String(o.core.manager.serverInfo.hypha_version));
    app.use(o.basePath || '/', agentSkillsRouter(shared.skills, o.auth));
  }
  return shared;
}

/** name → `__schema__` of the snake_case methods of a manager proxy. */
function managerSchemasOf(server: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, fn] of Object.entries(server)) {
    const schema = typeof fn === 'function' ? (fn as { __schema__?: Record<string, unknown> }).__schema__ : undefined;
    if (/^[a-z][a-z0-9_]*$/.test(name) && schema) out[name] = schema;
  }
  return out;
}

export interface OpsDeps {
  core: HyphaCore;
  auth: AuthService;
  login: LoginService;
  endpoint: WebsocketEndpoint;
  shared: OpsShared;
  serverId: string;
  /** `http://host:port<base-path>` of this process. */
  localBaseUrl: string;
  settings: Partial<OpsConfig>;
  env: Record<string, string | undefined>;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

export interface RunningOps {
  startup: StartupApi;
  blocks: BlockList;
  close(): Promise<void>;
}

export async function startOps(d: OpsDeps): Promise<RunningOps> {
  const { core, auth, endpoint } = d;
  auth.userGate = async (user: UserInfo) => {
    const reason = await d.shared.blocks.reason('user', user.id);
    if (reason !== null) throw new InvalidTokenError(`User blocked: ${reason || 'blocked by the administrator'}`);
  };
  const terminal = d.settings.enableAdminTerminal
    ? new AdminTerminal(async () => ({ core, auth, api: await startup.server(), connect: (workspace: string) => startup.connect(workspace) }))
    : null;
  await core.builtins.register(
    adminUtilsRpc({
      core,
      blocks: d.shared.blocks,
      serverId: d.serverId,
      closeClient: (full, code, reason) => endpoint.closeClient(full, code, reason),
      clientsOfUser: (userId) => core.gateway.allSessions().filter((s) => s.user.id === userId).map((s) => s.id),
      counters: () => ({ connections: endpoint.connectedCount, http: {} }),
      terminal,
    }),
    { workspace: 'ws-user-root' },
  );
  const startup = new StartupApi({ core, auth, login: d.login, localBaseUrl: d.localBaseUrl });
  let publicClient: Promise<Record<string, unknown>> | null = null;
  d.shared.publicClient = () => (publicClient ??= startup.connect('public') as unknown as Promise<Record<string, unknown>>);
  if (d.shared.skills) await core.builtins.register(agentSkillsService(d.shared.skills), { workspace: 'public' });
  const ops: RunningOps = {
    startup,
    blocks: d.shared.blocks,
    async close() {
      await terminal?.stop();
      await startup.close();
    },
  };
  try {
    if (d.settings.enableLocalAuth) {
      const server = await startup.server();
      await installLocalAuth(server, { kv: core.bus, auth, base: () => core.manager.serverInfo.public_base_url, env: d.env });
    }
    await runStartupFunctions(d.settings.startupFunctions ?? [], () => startup.server());
  } catch (err) {
    await ops.close();
    throw err;
  }
  return ops;
}
