/**
 * Finding and choosing a `server-app-worker`: the caller's workspace first, `public` only when
 * none there fits; built-in workers are called in-process, others through their RPC proxy.
 * Disabled workers (`edit_worker(disabled=True)`) are never chosen.
 */
import { InvalidArgumentError, NotFoundError } from '@hypha/service';
import type { CallContext } from '@hypha/service';
import type { AppsHost } from './apps-host.js';
import type { AppWorker, CompileFile, LogPage, WorkerStartConfig } from './worker-contract.js';

/** How `start` and `compile` talk to a worker, in-process or remote. */
export interface WorkerHandle {
  id: string;
  name: string;
  supportedTypes: string[];
  useLocalUrl: boolean | string;
  start(config: WorkerStartConfig): Promise<unknown>;
  stop(sessionId: string): Promise<unknown>;
  getLogs(sessionId: string, type?: string | null, offset?: number, limit?: number | null): Promise<LogPage | string>;
  compile?(manifest: Record<string, unknown>, files: CompileFile[], config: Record<string, unknown>): Promise<unknown>;
}

export class WorkerNotFoundError extends NotFoundError {}

const DISABLED = (ws: string) => `disabled_workers:${ws}`;

function workspaceOf(id: string): string {
  return id.split('/')[0]!;
}

export class WorkerPool {
  /** In-process workers by full service id. */
  private readonly local = new Map<string, AppWorker>();

  constructor(private readonly host: AppsHost) {}

  addLocal(fullId: string, worker: AppWorker): void {
    this.local.set(fullId, worker);
  }

  localWorkers(): Array<[string, AppWorker]> {
    return [...this.local.entries()];
  }

  async isDisabled(workerId: string): Promise<boolean> {
    return (await this.host.kv.hGet(DISABLED(workspaceOf(workerId)), workerId)) !== null;
  }

  async setDisabled(workerId: string, disabled: boolean): Promise<void> {
    if (disabled) await this.host.kv.hSet(DISABLED(workspaceOf(workerId)), { [workerId]: '1' });
    else await this.host.kv.hDel(DISABLED(workspaceOf(workerId)), workerId);
  }

  /** Worker service infos of a workspace (optionally only those supporting `type`). */
  async listIn(workspace: string, type: string | null, ctx: CallContext): Promise<Array<Record<string, any>>> {
    const infos = await this.host.listServices({ workspace, type: 'server-app-worker' }, ctx);
    const out: Array<Record<string, any>> = [];
    for (const i of infos) {
      const types = Array.isArray(i.supported_types) ? (i.supported_types as string[]) : await this.supportedTypes(String(i.id), ctx);
      if (!type || types.includes(type)) out.push({ ...i, supported_types: types });
    }
    return out;
  }

  private readonly typesCache = new Map<string, { types: string[]; at: number }>();

  /** A registry entry may not carry `supported_types`: ask the worker itself (cached briefly). */
  private async supportedTypes(id: string, ctx: CallContext): Promise<string[]> {
    const local = this.local.get(id);
    if (local) return [...local.supportedTypes];
    const hit = this.typesCache.get(id);
    if (hit && Date.now() - hit.at < 30_000) return hit.types;
    try {
      const svc = await this.host.getService(id, ctx, { timeout: 5 });
      const types = Array.isArray(svc.supported_types) ? (svc.supported_types as string[]) : [];
      this.typesCache.set(id, { types, at: Date.now() });
      return types;
    } catch {
      // A worker that cannot be reached right now offers no types.
      return [];
    }
  }

  /** `list_workers`: workspace workers first, then public ones; each with `disabled`. */
  async describe(type: string | null, ctx: CallContext): Promise<Array<Record<string, unknown>>> {
    const own = ctx.ws === 'public' ? [] : await this.listIn(ctx.ws, type, ctx);
    const pub = await this.listIn('public', type, ctx);
    const out: Array<Record<string, unknown>> = [];
    for (const i of [...own, ...pub]) {
      out.push({
        id: i.id,
        name: i.name,
        description: i.description ?? '',
        supported_types: i.supported_types ?? [],
        disabled: await this.isDisabled(String(i.id)),
      });
    }
    return out;
  }

  /** Chooses a worker for `type` (`mode`: random, first, last, exact, min_load, select:<min|max|first_success>:<fn>). */
  async select(type: string, mode: string | null, ctx: CallContext, loads: (workerId: string) => number): Promise<WorkerHandle> {
    let candidates = await this.usable(ctx.ws === 'public' ? [] : await this.listIn(ctx.ws, type, ctx));
    if (candidates.length === 0) candidates = await this.usable(await this.listIn('public', type, ctx));
    if (candidates.length === 0) throw new WorkerNotFoundError(`No server app worker found for app type: ${type}`);
    const m = mode ?? 'random';
    let chosen: Record<string, any>;
    if (m === 'random') chosen = candidates[Math.floor(Math.random() * candidates.length)]!;
    else if (m === 'first') chosen = candidates[0]!;
    else if (m === 'last') chosen = candidates[candidates.length - 1]!;
    else if (m === 'exact') {
      if (candidates.length !== 1) throw new InvalidArgumentError(`Worker selection mode 'exact' needs exactly one worker for app type ${type}, found ${candidates.length}`);
      chosen = candidates[0]!;
    } else if (m === 'min_load') {
      chosen = candidates.reduce((a, b) => (loads(String(b.id)) < loads(String(a.id)) ? b : a));
    } else if (m.startsWith('select:')) {
      chosen = await this.selectByFunction(candidates, m, ctx);
    } else {
      throw new InvalidArgumentError(`Unknown worker selection mode '${m}': use random, first, last, exact, min_load or select:<min|max|first_success>:<function>`);
    }
    return this.handle(String(chosen.id), ctx);
  }

  private async usable(infos: Array<Record<string, any>>): Promise<Array<Record<string, any>>> {
    const out: Array<Record<string, any>> = [];
    for (const i of infos) if (!(await this.isDisabled(String(i.id)))) out.push(i);
    return out;
  }

  private async selectByFunction(candidates: Array<Record<string, any>>, mode: string, ctx: CallContext): Promise<Record<string, any>> {
    const [, criteria, fn] = mode.split(':');
    if (!fn || !['min', 'max', 'first_success'].includes(criteria ?? '')) {
      throw new InvalidArgumentError(`Invalid selection mode '${mode}': expected select:<min|max|first_success>:<function>`);
    }
    const results = await Promise.all(
      candidates.map(async (c) => {
        try {
          const svc = await this.host.getService(String(c.id), ctx, { timeout: 2 });
          if (typeof svc[fn] !== 'function') return null;
          const value = await Promise.race([svc[fn](), new Promise((_, r) => setTimeout(() => r(new Error('timeout')), 2000))]);
          return { c, value };
        } catch {
          // A worker that cannot answer is not a candidate for this criterion.
          return null;
        }
      }),
    );
    const ok = results.filter((r): r is { c: Record<string, any>; value: unknown } => r !== null);
    if (ok.length === 0) return candidates[Math.floor(Math.random() * candidates.length)]!;
    if (criteria === 'first_success') return ok[0]!.c;
    const numeric = ok.filter((r) => typeof r.value === 'number') as Array<{ c: Record<string, any>; value: number }>;
    if (numeric.length === 0) return ok[0]!.c;
    numeric.sort((a, b) => a.value - b.value);
    return criteria === 'min' ? numeric[0]!.c : numeric[numeric.length - 1]!.c;
  }

  /** A handle on the worker `workerId` (`ws/cid:svc`); refuses disabled workers. */
  async handle(workerId: string, ctx: CallContext): Promise<WorkerHandle> {
    if (!/^[^/]+\/[^:]+:.+$/.test(workerId)) throw new InvalidArgumentError(`Invalid worker id '${workerId}': expected 'workspace/client_id:service_id'`);
    if (await this.isDisabled(workerId)) throw new InvalidArgumentError(`Worker ${workerId} is disabled`);
    const local = this.local.get(workerId);
    if (local) {
      return {
        id: workerId,
        name: local.name,
        supportedTypes: [...local.supportedTypes],
        useLocalUrl: local.useLocalUrl,
        start: (c) => local.start(c),
        stop: (s) => local.stop(s),
        getLogs: (s, t, o, l) => local.getLogs(s, t, o, l),
        compile: local.compile ? (m, f, c) => local.compile!(m, f, c) : undefined,
      };
    }
    const svc = await this.host.getService(workerId, ctx, { timeout: 10 });
    return {
      id: workerId,
      name: String(svc.name ?? workerId),
      supportedTypes: Array.isArray(svc.supported_types) ? svc.supported_types : [],
      useLocalUrl: svc.use_local_url ?? false,
      start: (c) => svc.start({ ...c, progress_callback: null }),
      stop: (s) => svc.stop(s),
      getLogs: (s, t, o, l) => svc.get_logs(s, t ?? null, o ?? 0, l ?? null),
      compile: typeof svc.compile === 'function' ? (m, f, c) => svc.compile(m, f, c) : undefined,
    };
  }
}
