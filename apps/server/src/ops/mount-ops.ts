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
import { BlockList, clientIp } from './block-list.js';
import { staticMountRouter } from './static-mounts.js';
import { StartupApi } from './startup-server-api.js';
import { runStartupFunctions } from './startup-functions.js';

export interface OpsRoutesOptions {
  basePath: string;
  staticMounts: StaticMount[];
  blocks: BlockList;
}

/** Routes that go before the HTTP surface: the IP block check and the static mounts. */
export async function mountOpsRoutes(app: Express, o: OpsRoutesOptions): Promise<void> {
  app.use(async (req, res, next) => {
    try {
      const reason = await o.blocks.reason('ip', clientIp(req));
      if (reason === null) return next();
      res.status(403).json({ success: false, detail: `IP blocked: ${reason}` });
    } catch (err) {
      next(err);
    }
  });
  for (const mount of o.staticMounts) app.use(o.basePath || '/', await staticMountRouter(mount));
}

export interface OpsDeps {
  core: HyphaCore;
  auth: AuthService;
  login: LoginService;
  endpoint: WebsocketEndpoint;
  blocks: BlockList;
  serverId: string;
  /** `http://host:port<base-path>` of this process. */
  localBaseUrl: string;
  settings: Partial<OpsConfig>;
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
    const reason = await d.blocks.reason('user', user.id);
    if (reason !== null) throw new InvalidTokenError(`User blocked: ${reason || 'blocked by the administrator'}`);
  };
  await core.builtins.register(
    adminUtilsRpc({
      core,
      blocks: d.blocks,
      serverId: d.serverId,
      closeClient: (full, code, reason) => endpoint.closeClient(full, code, reason),
      clientsOfUser: (userId) => core.gateway.allSessions().filter((s) => s.user.id === userId).map((s) => s.id),
      counters: () => ({ connections: endpoint.connectedCount, http: {} }),
    }),
    { workspace: 'ws-user-root' },
  );
  const startup = new StartupApi({ core, auth, login: d.login, localBaseUrl: d.localBaseUrl });
  const ops: RunningOps = { startup, blocks: d.blocks, close: () => startup.close() };
  try {
    await runStartupFunctions(d.settings.startupFunctions ?? [], () => startup.server());
  } catch (err) {
    await startup.close();
    throw err;
  }
  return ops;
}
