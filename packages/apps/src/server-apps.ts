/**
 * The server-apps controller: installer, launcher and worker pool over one host and store, plus
 * the hooks the workspace manager calls (lazy start of `svc@app`, manifest services).
 */
import type { CallContext } from '@hypha/service';
import { NotFoundError } from '@hypha/service';
import type { AppsHost, AppStore } from './apps-host.js';
import { AppInstaller } from './app-installer.js';
import { AppLauncher } from './app-launcher.js';
import type { LauncherTiming } from './app-launcher.js';
import type { AppWorker } from './worker-contract.js';
import { WorkerNotFoundError, WorkerPool } from './worker-pool.js';
import { Autoscaler } from './autoscaler.js';

export interface ServerAppsOptions {
  host: AppsHost;
  store: AppStore;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  /** Errors that need an operator (a daemon app that fails to start). Defaults to `log`. */
  logError?: (msg: string, extra?: Record<string, unknown>) => void;
  timing?: LauncherTiming;
}

export class ServerApps {
  readonly host: AppsHost;
  readonly store: AppStore;
  readonly workers: WorkerPool;
  readonly launcher: AppLauncher;
  readonly installer: AppInstaller;
  readonly autoscaler: Autoscaler;
  private readonly log: (msg: string, extra?: Record<string, unknown>) => void;
  private readonly logError: (msg: string, extra?: Record<string, unknown>) => void;

  constructor(o: ServerAppsOptions) {
    this.host = o.host;
    this.store = o.store;
    const log = o.log ?? (() => undefined);
    this.log = log;
    this.logError = o.logError ?? log;
    this.workers = new WorkerPool(o.host);
    this.launcher = new AppLauncher(o.host, o.store, this.workers, log, o.timing);
    this.installer = new AppInstaller(o.host, o.store, this.workers, this.launcher);
    this.autoscaler = new Autoscaler(o.host, o.store, this.launcher, log, o.timing?.autoscaleCheckMs);
    this.installer.onCommitted = (ws, appId, manifest) => {
      if (manifest.daemon === true) void this.startDaemon(ws, appId, manifest);
    };
  }

  /** A call routed to `<ws>/<client>` (the router's call observer): counts for app clients. */
  recordCall(target: string, method?: string): void {
    this.launcher.meter.record(target, method);
  }

  /**
   * A workspace was loaded: start its daemon apps that are not running, each as its installer
   * (`startup_context`). A missing worker type is a warning; other failures are errors.
   */
  async prepareWorkspace(workspace: string): Promise<void> {
    const root = this.host.rootContext(workspace);
    const apps = await this.store.list(workspace, root);
    for (const a of apps) {
      if (a.manifest?.daemon === true) await this.startDaemon(workspace, a.alias, a.manifest);
    }
  }

  private async startDaemon(workspace: string, appId: string, manifest: Record<string, any>): Promise<void> {
    const running = (await this.launcher.sessions.list(workspace)).some((s) => s.app_id === appId && s.status !== 'stopped');
    if (running) return;
    const root = this.host.rootContext(workspace);
    const startup = manifest.startup_context as { user?: Record<string, unknown> } | undefined;
    const ctx: CallContext = startup?.user ? { ...root, user: startup.user as unknown as CallContext['user'] } : root;
    try {
      await this.launcher.start(appId, {}, ctx);
    } catch (err) {
      if (err instanceof WorkerNotFoundError) this.log('daemon app skipped: no worker for its type here', { workspace, app: appId, error: err.message });
      else this.logError('daemon app failed to start', { workspace, app: appId, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Registers an in-process worker under its full service id. */
  addLocalWorker(fullId: string, worker: AppWorker): void {
    this.workers.addLocal(fullId, worker);
  }

  /**
   * Lazy start for `get_service("<svc>@<app>")`: starts the app as its installer (the manifest's
   * `startup_context`) and returns the session's service id `<ws>/<cid>:<svc>`; null when the
   * workspace has no such app.
   */
  async lazyStart(workspace: string, serviceName: string, appId: string): Promise<string | null> {
    const root = this.host.rootContext(workspace);
    const artifact = await this.store.read(`${workspace}/${appId}`, {}, root).catch((err: unknown) => {
      if (err instanceof Error && /not found|does not exist|no committed/i.test(err.message)) return null;
      throw err;
    });
    if (!artifact) return null;
    const m = (artifact.manifest ?? {}) as Record<string, any>;
    const startup = m.startup_context as { ws?: string; user?: Record<string, unknown> } | undefined;
    const ctx: CallContext = startup?.user ? { ...root, ws: workspace, user: startup.user as unknown as CallContext['user'], from: root.from } : root;
    const running = (await this.launcher.sessions.list(workspace)).find((s) => s.app_id === appId && s.status === 'running');
    if (running) this.launcher.touch(running.id);
    const session = running ?? (await this.launcher.start(appId, { wait_for_service: serviceName }, ctx));
    return `${session.id}:${serviceName}`;
  }

  /** Service infos of installed apps (`list_services(include_app_services=True)`), as `<ws>/*:<svc>@<app>`. */
  async appServices(workspace: string): Promise<Array<Record<string, unknown>>> {
    const root = this.host.rootContext(workspace);
    const apps = await this.store.list(workspace, root);
    const out: Array<Record<string, unknown>> = [];
    for (const a of apps) {
      for (const s of ((a.manifest?.services ?? []) as Array<Record<string, unknown>>)) {
        const svc = String(s.id ?? '').split(':').pop()!.split('@')[0];
        out.push({ ...s, id: `${workspace}/*:${svc}@${a.alias}`, app_id: a.alias });
      }
    }
    return out;
  }

  /** `get_service_info(..., read_app_manifest=True)` for a service of an app that is not running. */
  async appServiceInfo(workspace: string, serviceName: string, appId: string): Promise<Record<string, unknown>> {
    const all = await this.appServices(workspace);
    const found = all.find((s) => s.id === `${workspace}/*:${serviceName}@${appId}`);
    if (!found) throw new NotFoundError(`Service not found: ${workspace}/*:${serviceName}@${appId}`);
    return found;
  }

  /** Counts activity on a session (resets its inactivity timer). */
  touch(sessionId: string): void {
    this.launcher.touch(sessionId);
  }

  close(): void {
    this.autoscaler.close();
    this.launcher.close();
  }
}
