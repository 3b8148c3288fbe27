/**
 * `--enable-server-apps`: the controller `public/server-apps` over the workspace core and the
 * artifact manager, and the built-in workers that can run here (python-eval when its interpreter
 * exists, the browser worker when Chromium exists, the terminal worker on request).
 */
import { spawnSync } from 'node:child_process';
import { ServerApps, isAppClient, serverAppsServiceDef, workerService } from '@hypha/apps';
import type { AppWorker, AppsHost } from '@hypha/apps';
import { createRootUser, checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { PermissionDeniedError, toRpcService } from '@hypha/service';
import type { CallContext } from '@hypha/service';
import { PythonEvalWorker } from '@hypha/worker-python';
import { BrowserWorker } from '@hypha/worker-browser';
import { McpProxyWorker } from '@hypha/worker-mcp-proxy';
import { A2AProxyWorker } from '@hypha/worker-a2a-proxy';
import { managerServiceDef } from '@hypha/workspace';
import type { HyphaCore } from '@hypha/workspace';
import { getService, listServices } from '@hypha/workspace/internal';
import type { MountedArtifacts } from '../artifacts/mount-artifacts.js';
import type { LogFn } from '../start-server.js';
import { ArtifactAppStore } from './artifact-app-store.js';
import { terminalWorkerFromEnv, terminalWorkerService, warnIfNoPty } from './terminal-worker.js';

export interface MountAppsOptions {
  core: HyphaCore;
  artifacts: MountedArtifacts;
  log: LogFn;
  env: Record<string, string | undefined>;
  enableTerminalWorker?: boolean;
  /** Register the mcp-server app type's proxy worker (`--enable-mcp`). */
  enableMcp?: boolean;
  /** Register the a2a-agent app type's proxy worker (`--enable-a2a`). */
  enableA2a?: boolean;
  /** How often the leader looks at autoscaled apps (ms; default 10 s, as the reference). */
  autoscaleCheckMs?: number;
  /** Extra in-process workers (tests, embedders). */
  workers?: AppWorker[];
}

export interface MountedApps {
  apps: ServerApps;
  close(): Promise<void>;
}

function hostFor(core: HyphaCore): AppsHost {
  const info = core.manager.serverInfo;
  const root = createRootUser();
  const generateToken = managerServiceDef(core.manager).methods.generate_token!;
  return {
    serverId: info.server_id,
    publicBaseUrl: info.public_base_url,
    localBaseUrl: info.local_base_url,
    kv: core.bus,
    generateToken: async (config, ctx) => String(await generateToken.handler({ config }, ctx)),
    listServices: async (query, ctx) => (await listServices(core.manager, ctx as never, query, false)) as unknown as Array<Record<string, any>>,
    getService: async (id, ctx, o) => (await getService(core.manager, ctx as never, id, { timeout: o?.timeout ?? 10 })) as Record<string, any>,
    onEvent: (type, handler) =>
      core.bus.onLocal(type, (d) => {
        const e = d as { workspace?: string; data?: Record<string, any> };
        if (e && typeof e.workspace === 'string' && e.data && typeof e.data === 'object') handler(e.workspace, e.data);
      }),
    removeClient: async (ws, cid) => {
      if ((await core.registry.clientKeys(ws, cid)).length > 0) await core.manager.deleteClient(ws, cid);
    },
    isLeader: () => (core.cluster ? core.cluster.isLeader : true),
    rootContext: (ws) => ({ ws, from: `${ws}/${core.builtins.clientId}`, user: root as unknown as CallContext['user'] }),
  };
}

/** `ACTIVITY_CHECK_INTERVAL` (seconds, as the reference reads it) → ms; default 1 s. */
function activityCheckMs(env: Record<string, string | undefined>): number {
  const v = Number(env.ACTIVITY_CHECK_INTERVAL);
  return Number.isFinite(v) && v > 0 ? Math.max(50, v * 1000) : 1000;
}

function commandExists(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function mountApps(o: MountAppsOptions): Promise<MountedApps> {
  const host = hostFor(o.core);
  const store = new ArtifactAppStore(o.artifacts.manager, o.artifacts.files, host.rootContext);
  const apps = new ServerApps({
    host,
    store,
    log: (msg, extra) => o.log('warn', msg, extra),
    logError: (msg, extra) => o.log('error', msg, extra),
    timing: { activityCheckMs: activityCheckMs(o.env), autoscaleCheckMs: o.autoscaleCheckMs },
  });
  const authorize = (ctx: CallContext, permission: string) => {
    if (permission === 'none') return;
    if (!checkPermission(ctx.user as unknown as UserInfo, ctx.ws, permission as 'read')) throw new PermissionDeniedError(`Permission denied for workspace ${ctx.ws}`);
  };
  await o.core.builtins.register(toRpcService(serverAppsServiceDef(apps), { authorize }), { workspace: 'public' });
  o.core.manager.setAppLauncher({
    lazyStart: (ws, svc, appId) => apps.lazyStart(ws, svc, appId),
    appServices: (ws) => apps.appServices(ws),
    prepareWorkspace: (ws) => apps.prepareWorkspace(ws),
  });
  o.core.router.callObserverFilter = isAppClient;
  o.core.router.callObserver = (target, method) => apps.recordCall(target, method);
  const workers: AppWorker[] = [...(o.workers ?? [])];
  const python = o.env.HYPHA_PYTHON ?? 'python3';
  if (commandExists(python)) {
    const env: Record<string, string> = {};
    if (o.env.PYTHONPATH) env.PYTHONPATH = o.env.PYTHONPATH;
    workers.push(new PythonEvalWorker({ python, env }));
  } else {
    o.log('warn', 'python-eval worker not registered: interpreter not found', { python });
  }
  if (o.env.HYPHA_DISABLE_INPROCESS_BROWSER_WORKER !== 'true') {
    const browser = new BrowserWorker({ chromiumPath: o.env.PLAYWRIGHT_CHROMIUM_PATH ?? o.env.CHROMIUM_PATH });
    if (browser.available()) workers.push(browser);
    else o.log('warn', 'browser worker not registered: Chromium not found', { chromium: browser.chromiumPath });
  }
  if (o.enableMcp) workers.push(new McpProxyWorker());
  if (o.enableA2a) workers.push(new A2AProxyWorker());
  const terminal = o.enableTerminalWorker ? terminalWorkerFromEnv(o.env) : null;
  if (terminal) {
    await warnIfNoPty(o.log);
    workers.push(terminal);
  }
  for (const w of workers) {
    const service = w === terminal ? terminalWorkerService(terminal, o.env) : workerService(w, 'public');
    const id = await o.core.builtins.register(service, { workspace: 'public' });
    apps.addLocalWorker(id, w);
  }
  // Workspaces that outlived a restart (kept in Redis) are loaded already: start their daemons.
  void (async () => {
    for (const info of await o.core.workspaces.list()) await apps.prepareWorkspace(info.id);
  })().catch((err: unknown) => o.log('error', 'daemon apps of existing workspaces failed to start', { error: String(err) }));
  return {
    apps,
    async close() {
      o.core.router.callObserver = null;
      o.core.manager.setAppLauncher(null);
      apps.close();
      await Promise.all(workers.map((w) => w.shutdown().catch((err: unknown) => o.log('error', 'worker shutdown failed', { worker: w.id, error: String(err) }))));
    },
  };
}
