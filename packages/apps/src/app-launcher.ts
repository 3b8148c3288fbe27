/**
 * Starting and stopping app sessions: mint a token for a fresh client id, pick a worker, call its
 * `start`, wait for the service (or client) that proves the app is up, record the session.
 * A failed start leaves nothing behind and reports the worker's logs.
 */
import { randomBytes } from 'node:crypto';
import { HyphaError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@hypha/service';
import type { CallContext } from '@hypha/service';
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import type { AppsHost, AppStore } from './apps-host.js';
import type { AppSession } from './session-store.js';
import { SessionStore } from './session-store.js';
import type { WorkerHandle, WorkerPool } from './worker-pool.js';
import type { LogPage } from './worker-contract.js';
import { CallMeter } from './call-meter.js';
import { InactivityWatch } from './inactivity-watch.js';
import { autoscalingConfig } from './autoscaler.js';

export interface StartOptions {
  timeout?: number | null;
  version?: string | null;
  wait_for_service?: string | boolean | null;
  stop_after_inactive?: number | null;
  stage?: boolean;
  additional_kwargs?: Record<string, unknown> | null;
  worker_id?: string | null;
  worker_selection_mode?: string | null;
  /** Internal: skip reuse of a running session (autoscaling). */
  fresh?: boolean;
}

const DEFAULT_TIMEOUT = 60;
const DEFAULT_STOP_AFTER_INACTIVE = 600;
/** How long cleanup waits for a worker's `stop` or `get_logs` before going on without it. */
const WORKER_CALL_BOUND_MS = 5000;

export function canRead(ctx: CallContext, ws: string): boolean {
  return checkPermission(ctx.user as unknown as UserInfo, ws, 'r');
}

function clientIdFor(): string {
  return `_rapp_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}__rlb`;
}

/** How often idle sessions are looked for, and call counts written (ms). */
export interface LauncherTiming {
  activityCheckMs?: number;
  meterFlushMs?: number;
  /** How often the leader looks at autoscaled apps (the reference: 10 s). */
  autoscaleCheckMs?: number;
}

export class AppLauncher {
  readonly sessions: SessionStore;
  /** Calls routed to app clients (fed by the server's router). */
  readonly meter: CallMeter;
  readonly inactivity: InactivityWatch;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly host: AppsHost,
    private readonly store: AppStore,
    private readonly workers: WorkerPool,
    private readonly log: (msg: string, extra?: Record<string, unknown>) => void,
    timing: LauncherTiming = {},
  ) {
    this.sessions = new SessionStore(host.kv);
    this.meter = new CallMeter(host.kv, host.serverId, (msg, err) => log(msg, { error: String(err) }), timing.meterFlushMs);
    this.inactivity = new InactivityWatch(this.meter, (id) => this.stopSession(id), log, timing.activityCheckMs);
    this.unsubscribe.push(host.onEvent('client_disconnected', (ws, data) => {
      this.onClientGone(ws, String(data.id ?? '')).catch((err: unknown) => this.log('session cleanup failed', { error: String(err) }));
    }));
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    this.inactivity.close();
    this.meter.close();
  }

  /** Load per worker: its number of sessions here (for `min_load`). */
  private loadCounter = new Map<string, number>();
  workerLoad = (workerId: string): number => this.loadCounter.get(workerId) ?? 0;

  async start(appId: string, o: StartOptions, ctx: CallContext): Promise<AppSession> {
    const ws = ctx.ws;
    if (!canRead(ctx, ws)) throw new PermissionDeniedError(`Permission denied: cannot start apps in workspace ${ws}`);
    const artifact = await this.store.read(`${ws}/${appId}`, { version: o.stage ? 'stage' : o.version ?? null, stage: o.stage }, ctx);
    const manifest = { ...(artifact.manifest ?? {}) } as Record<string, any>;
    if (manifest.disabled) throw new HyphaError('unavailable', `App ${appId} is disabled`);
    const sc = (manifest.startup_config ?? {}) as Record<string, any>;
    const timeout = Number(o.timeout ?? sc.timeout ?? DEFAULT_TIMEOUT);
    let wait: string | boolean | null = o.wait_for_service ?? sc.wait_for_service ?? null;
    if (wait === true || wait === null) wait = 'default';
    if (typeof wait === 'string' && wait.includes(':')) wait = wait.split(':')[1]!;
    const detached = wait === false || wait === '';
    const daemon = manifest.daemon === true;
    const stopAfter = o.stop_after_inactive ?? sc.stop_after_inactive ?? (daemon ? 0 : DEFAULT_STOP_AFTER_INACTIVE);
    if (daemon && stopAfter > 0) throw new InvalidArgumentError('stop_after_inactive is not allowed for daemon apps');
    const autoscaling = manifest.autoscaling ? autoscalingConfig(manifest.autoscaling).enabled : false;
    if (!o.fresh && !o.stage) {
      const running = await this.sessions.list(manifest.singleton ? '*' : ws);
      const existing = running.find((s) => s.app_id === appId && s.status !== 'stopped');
      if (existing && (manifest.singleton || (!daemon && !autoscaling))) return existing;
    }
    const additional = { ...(sc.additional_kwargs ?? {}), ...(o.additional_kwargs ?? {}) };
    const worker = o.worker_id
      ? await this.workers.handle(o.worker_id.includes('/') ? o.worker_id : `${ws}/${o.worker_id}`, ctx)
      : await this.workers.select(String(manifest.type), o.worker_selection_mode ?? null, ctx, this.workerLoad);
    if (o.worker_id && worker.supportedTypes.length && !worker.supportedTypes.includes(String(manifest.type))) {
      throw new InvalidArgumentError(`Worker ${worker.id} does not support app type ${String(manifest.type)}`);
    }
    const clientId = clientIdFor();
    const sessionId = `${ws}/${clientId}`;
    const token = await this.host.generateToken({ client_id: clientId, workspace: ws, expires_in: Math.max(3600, stopAfter * 2) }, ctx);
    const serverUrl = typeof worker.useLocalUrl === 'string' ? worker.useLocalUrl : worker.useLocalUrl ? this.host.localBaseUrl : this.host.publicBaseUrl;
    const collected: Array<Record<string, any>> = [];
    let resolveUp!: () => void;
    const up = new Promise<void>((resolve) => {
      resolveUp = resolve;
    });
    const unsub = this.host.onEvent(detached ? 'client_connected' : 'service_added', (evWs, data) => {
      if (evWs !== ws) return;
      const id = String(data.id ?? '');
      if (!id.startsWith(`${sessionId}:`)) return;
      collected.push(data);
      const svc = id.slice(sessionId.length + 1).split('@')[0];
      if (svc === wait) resolveUp();
    });
    const session: AppSession = {
      id: sessionId,
      session_id: sessionId,
      app_id: appId,
      workspace: ws,
      client_id: clientId,
      app_type: String(manifest.type),
      entry_point: manifest.entry_point ?? null,
      name: manifest.name,
      description: manifest.description,
      version: manifest.version ?? null,
      source_hash: manifest.source_hash ?? null,
      worker_id: worker.id,
      daemon,
      worker_managed: manifest.worker_managed === true,
      status: 'starting',
      server_id: this.host.serverId,
      stop_after_inactive: stopAfter,
      autoscaling,
    };
    await this.sessions.put(session);
    this.loadCounter.set(worker.id, this.workerLoad(worker.id) + 1);
    try {
      await withTimeout(
        worker.start({
          id: sessionId,
          app_id: appId,
          workspace: ws,
          client_id: clientId,
          server_url: serverUrl,
          app_files_base_url: `${serverUrl}/${ws}/artifacts/${appId}/files`,
          token,
          entry_point: manifest.entry_point ?? null,
          artifact_id: `${ws}/${appId}`,
          timeout,
          manifest,
          ...(o.stage ? { stage: true } : {}),
          disable_ssl: false,
          ...additional,
        }),
        // The worker may use all of `timeout` (python-eval runs the script that long); the grace
        // lets its answer arrive.
        timeout * 1000 + WORKER_CALL_BOUND_MS,
        `worker ${worker.id} did not start the app within ${timeout}s`,
      );
      if (detached) await new Promise((r) => setTimeout(r, 100));
      else await withTimeout(up, timeout * 1000, `the app did not register service '${String(wait)}' within ${timeout}s`);
    } catch (err) {
      unsub();
      const logs = await this.logsText(worker, sessionId);
      await this.abort(session, worker);
      throw new HyphaError('unavailable', `Failed to start app '${appId}', error: ${err instanceof Error ? err.message : String(err)}, logs:\n${logs}`);
    }
    unsub();
    session.status = 'running';
    const services = collected.map((s) => ({ ...s, id: `${ws}/*:${String(s.id).slice(sessionId.length + 1).split('@')[0]}` }));
    session.services = collected;
    if (!detached) session.service_id = `${sessionId}:${String(wait)}@${appId}`;
    const defaultSvc = collected.find((s) => String(s.id).startsWith(`${sessionId}:default`));
    if (defaultSvc?.config) session.config = defaultSvc.config;
    await this.sessions.put(session);
    if (services.length > 0) {
      await this.store.edit(artifact.id, { ...manifest, services, service_ids: services.map((s) => s.id) }, Boolean(o.stage), ctx);
    }
    if (!daemon && stopAfter > 0) this.inactivity.watch(sessionId, stopAfter);
    return session;
  }

  /** Undoes a failed start; bounded, so a worker that never answers `stop` cannot hold the caller. */
  private async abort(session: AppSession, worker: WorkerHandle): Promise<void> {
    try {
      await withTimeout(Promise.resolve(worker.stop(session.id)), WORKER_CALL_BOUND_MS, `worker ${worker.id} did not answer stop within ${WORKER_CALL_BOUND_MS / 1000}s`);
    } catch (err) {
      this.log('worker stop after a failed start failed', { session: session.id, error: String(err) });
    }
    await this.sessions.delete(session.id);
    this.decrement(session.worker_id);
    await this.host.removeClient(session.workspace, session.client_id);
  }

  private decrement(workerId: string): void {
    this.loadCounter.set(workerId, Math.max(0, this.workerLoad(workerId) - 1));
  }

  private async logsText(worker: WorkerHandle, sessionId: string): Promise<string> {
    try {
      const page = await withTimeout(worker.getLogs(sessionId), WORKER_CALL_BOUND_MS, 'get_logs timed out');
      if (typeof page === 'string') return page;
      return (page as LogPage).items.map((i) => `[${i.type}] ${i.content}`).join('\n');
    } catch (err) {
      return `(no logs: ${err instanceof Error ? err.message : String(err)})`;
    }
  }

  /** Activity on a session other than a routed call (resets its inactivity clock). */
  touch(sessionId: string): void {
    this.inactivity.touch(sessionId);
  }

  /** `stop`: read on the caller's workspace and on the session's. */
  async stop(sessionId: string, raiseException: boolean, ctx: CallContext): Promise<void> {
    const ws = sessionId.split('/')[0]!;
    if (!canRead(ctx, ctx.ws) || !canRead(ctx, ws)) throw new PermissionDeniedError(`Permission denied: cannot stop session ${sessionId}`);
    const session = await this.sessions.get(sessionId);
    if (!session) {
      if (raiseException) throw new NotFoundError(`Server app instance not found: ${sessionId}`);
      return;
    }
    await this.stopSession(sessionId);
  }

  /** Stops a session without permission checks (inactivity, disconnects, uninstall). */
  async stopSession(sessionId: string): Promise<void> {
    const session = await this.sessions.get(sessionId);
    this.inactivity.unwatch(sessionId);
    if (!session) return;
    try {
      const worker = await this.workers.handle(session.worker_id, this.host.rootContext(session.workspace));
      await withTimeout(Promise.resolve(worker.stop(sessionId)), WORKER_CALL_BOUND_MS, `worker ${worker.id} did not answer stop within ${WORKER_CALL_BOUND_MS / 1000}s`);
    } catch (err) {
      this.log('worker stop failed', { session: sessionId, error: String(err) });
    }
    await this.sessions.delete(sessionId);
    this.decrement(session.worker_id);
    await this.meter.forget(sessionId);
    await this.host.removeClient(session.workspace, session.client_id);
  }

  async getLogs(sessionId: string, type: string | null, offset: number, limit: number | null, ctx: CallContext): Promise<LogPage | string> {
    const session = await this.ownSession(sessionId, ctx);
    const worker = await this.workers.handle(session.worker_id, this.host.rootContext(session.workspace));
    return worker.getLogs(sessionId, type, offset, limit);
  }

  async ownSession(sessionId: string, ctx: CallContext): Promise<AppSession> {
    const ws = sessionId.split('/')[0]!;
    if (!canRead(ctx, ws)) throw new PermissionDeniedError(`Permission denied: session ${sessionId} is not in a workspace you can read`);
    const session = await this.sessions.get(sessionId);
    if (!session) throw new NotFoundError(`Server app instance not found: ${sessionId}`);
    return session;
  }

  async listRunning(ctx: CallContext): Promise<AppSession[]> {
    if (!canRead(ctx, ctx.ws)) throw new PermissionDeniedError(`Permission denied for workspace ${ctx.ws}`);
    return (await this.sessions.list(ctx.ws)).map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('_'))) as AppSession);
  }

  async stopApp(workspace: string, appId: string): Promise<void> {
    for (const s of await this.sessions.list(workspace)) if (s.app_id === appId) await this.stopSession(s.id);
  }

  /** A client went away: its own session ends, and so do the sessions of a worker it served. */
  private async onClientGone(ws: string, id: string): Promise<void> {
    if (!id) return;
    const fullId = id.includes('/') ? id : `${ws}/${id}`;
    const own = await this.sessions.get(fullId);
    if (own && !own.daemon && !own.worker_managed) {
      if (own.app_type === 'python-eval') {
        await this.sessions.put({ ...own, status: 'stopped' }, 300_000);
      } else {
        await this.stopSession(fullId);
      }
    }
    const bare = fullId.split('/')[1]!;
    for (const s of await this.sessions.list('*')) {
      if (s.worker_id.split(':')[0] === fullId || s.worker_id.includes(`/${bare}:`)) {
        await this.sessions.delete(s.id);
        this.inactivity.unwatch(s.id);
        await this.meter.forget(s.id);
        this.decrement(s.worker_id);
      }
    }
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HyphaError('timeout', message)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
