/**
 * The `server-app-worker` service contract, as the reference defines it: any client that
 * registers a service of this type with `supported_types` can run apps. Built-in workers
 * implement {@link AppWorker} and become a service through {@link workerService}.
 */
import { HyphaError, InvalidArgumentError, PermissionDeniedError, Type, defineMethod, defineService, toRpcService } from '@hypha/service';
import type { CallContext, MethodMap, ServiceDef } from '@hypha/service';

export type SessionStatus = 'starting' | 'running' | 'completed' | 'failed' | 'stopping' | 'stopped';

/** What `start` receives (`additional_kwargs` are merged in at the top level). */
export interface WorkerStartConfig {
  /** The session id, `<ws>/<client_id>`. */
  id: string;
  app_id: string;
  workspace: string;
  client_id: string;
  server_url: string;
  app_files_base_url: string;
  token: string;
  entry_point: string | null;
  artifact_id: string;
  timeout: number;
  manifest: Record<string, unknown>;
  /** True when the staged (uncommitted) version runs: file URLs need `stage=true`. */
  stage?: boolean;
  progress_callback?: ((msg: { type: string; message: string }) => unknown) | null;
  disable_ssl?: boolean;
  [key: string]: unknown;
}

export interface LogItem {
  type: string;
  content: string;
}

export interface LogPage {
  items: LogItem[];
  total: number;
  offset: number;
  limit: number | null;
}

export interface CompileFile {
  path: string;
  content: unknown;
  format?: 'text' | 'json' | 'base64';
}

/** A worker implemented in this process. */
export interface AppWorker {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly supportedTypes: readonly string[];
  /** true: apps get the server's local URL; a string: that URL; false: the public URL. */
  readonly useLocalUrl: boolean | string;
  start(config: WorkerStartConfig): Promise<string>;
  stop(sessionId: string): Promise<void>;
  getLogs(sessionId: string, type?: string | null, offset?: number, limit?: number | null): Promise<LogPage | string>;
  compile?(manifest: Record<string, unknown>, files: CompileFile[], config?: Record<string, unknown> | null): Promise<[Record<string, unknown>, CompileFile[]]>;
  execute?(sessionId: string, script: string, config?: Record<string, unknown> | null): Promise<unknown>;
  shutdown(): Promise<void>;
  /** Extra service methods (take_screenshot, ...); `own` checks a session id against the caller. */
  extraMethods?(own: (sessionId: unknown, ctx: CallContext) => string): MethodMap;
  /**
   * Present on workers that accept any session id (the reference's terminal worker): a session
   * then belongs to the workspace that started it, and this answers whose it is (undefined for an
   * unknown session). Without it, session ids must be `<caller's workspace>/...`.
   */
  sessionWorkspace?(sessionId: string): string | undefined;
}

/** Paginates log items the way every worker answers `get_logs`. */
export function pageLogs(all: LogItem[], type?: string | null, offset = 0, limit: number | null = null): LogPage {
  const items = type ? all.filter((i) => i.type === type) : all;
  const start = offset ?? 0;
  return { items: limit == null ? items.slice(start) : items.slice(start, start + limit), total: items.length, offset: start, limit: limit ?? null };
}

type OwnCheck = (sessionId: unknown, ctx: CallContext) => string;

/**
 * Who may touch a session: root always; otherwise the workspace that owns it, which is the id's
 * `<ws>/` prefix, or for a worker with `sessionWorkspace` the workspace that started the session.
 */
function ownSessionCheck(w: AppWorker): OwnCheck {
  return (sessionId, ctx) => {
    if (typeof sessionId !== 'string' || !sessionId) throw new InvalidArgumentError('session_id must be a non-empty string');
    if (ctx.user.id === 'root') return sessionId;
    if (w.sessionWorkspace) {
      const owner = w.sessionWorkspace(sessionId);
      if (owner !== undefined && owner !== ctx.ws) throw new PermissionDeniedError(`Permission denied: session ${sessionId} is not in workspace ${ctx.ws}`);
      return sessionId;
    }
    if (!sessionId.startsWith(`${ctx.ws}/`)) throw new PermissionDeniedError(`Permission denied: session ${sessionId} is not in workspace ${ctx.ws}`);
    return sessionId;
  };
}

/**
 * The checks of `start`: the session id is the caller's; a worker with free session ids gets the
 * caller's workspace as `config.workspace` and refuses anonymous callers (they share one workspace).
 */
function checkStart(w: AppWorker, own: OwnCheck, config: Record<string, unknown>, ctx: CallContext): WorkerStartConfig {
  own(config.id, ctx);
  if (!w.sessionWorkspace || ctx.user.id === 'root') return config as WorkerStartConfig;
  if (ctx.user.is_anonymous) throw new PermissionDeniedError(`Permission denied: anonymous users cannot start sessions on ${w.name}`);
  if (config.workspace != null && config.workspace !== ctx.ws) {
    throw new PermissionDeniedError(`Permission denied: config.workspace ${String(config.workspace)} is not the caller's workspace ${ctx.ws}`);
  }
  return { ...config, workspace: ctx.ws } as WorkerStartConfig;
}

const sid = Type.String({ description: 'The session id, `<workspace>/<client_id>`.' });
const anyObject = (description: string) => Type.Optional(Type.Union([Type.Record(Type.String(), Type.Any()), Type.Null()], { description }));

/** Declares a built-in worker as the `server-app-worker` service (type, supported_types, use_local_url). */
export function workerServiceDef(w: AppWorker, visibility: 'public' | 'protected' = 'public'): ServiceDef {
  const assertOwnSession = ownSessionCheck(w);
  const methods: MethodMap = {
    start: defineMethod({
      description: 'Start a session of an app; returns the session id.',
      params: { config: Type.Record(Type.String(), Type.Any(), { description: 'The start config (id, client_id, token, manifest, ...).' }) },
      permission: 'none',
      handler: ({ config }, ctx) => w.start(checkStart(w, assertOwnSession, config, ctx)),
    }),
    stop: defineMethod({
      description: 'Stop a session.',
      params: { session_id: sid },
      permission: 'none',
      handler: ({ session_id }, ctx) => w.stop(assertOwnSession(session_id, ctx)),
    }),
    get_logs: defineMethod({
      description: 'Logs of a session: `{items:[{type, content}], total, offset, limit}`.',
      params: {
        session_id: sid,
        type: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Only items of this type.' })),
        offset: Type.Optional(Type.Integer({ default: 0, description: 'Items to skip.' })),
        limit: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'Most items to return.' })),
      },
      permission: 'none',
      handler: ({ session_id, type, offset, limit }, ctx) => w.getLogs(assertOwnSession(session_id, ctx), type ?? null, offset ?? 0, limit ?? null),
    }),
    compile: defineMethod({
      description: 'Install-time transform of an app: returns `[manifest, files]`.',
      params: {
        manifest: Type.Record(Type.String(), Type.Any(), { description: 'The app manifest.' }),
        files: Type.Optional(Type.Array(Type.Any(), { description: 'Files `{path, content, format}`.' })),
        config: anyObject('Compile settings (server_url, workspace, ...).'),
      },
      permission: 'none',
      handler: ({ manifest, files, config }) =>
        w.compile ? w.compile(manifest, (files ?? []) as CompileFile[], config ?? null) : Promise.resolve([manifest, files ?? []]),
    }),
    execute: defineMethod({
      description: 'Run a script inside a running session.',
      params: { session_id: sid, script: Type.String({ description: 'The code to run.' }), config: anyObject('Execution options.'), progress_callback: Type.Optional(Type.Any({ description: 'Unused.' })) },
      permission: 'none',
      handler: ({ session_id, script, config }, ctx) => {
        if (!w.execute) throw new HyphaError('unsupported', `Worker ${w.name} does not support execute`);
        return w.execute(assertOwnSession(session_id, ctx), script, config ?? null);
      },
    }),
    shutdown: defineMethod({
      description: 'Stop every session of this worker (root only).',
      params: {},
      permission: 'none',
      handler: (_args, ctx) => {
        if (ctx.user.id !== 'root') throw new PermissionDeniedError('Permission denied: only root may shut a built-in worker down');
        return w.shutdown();
      },
    }),
  };
  for (const [name, m] of Object.entries(w.extraMethods?.(assertOwnSession) ?? {})) methods[name] = m;
  return defineService({ id: w.id, name: w.name, description: w.description, type: 'server-app-worker', config: { visibility, run_in_executor: false }, methods });
}

/** The RPC service object of a built-in worker. */
export function workerService(w: AppWorker, visibility: 'public' | 'protected' = 'public'): Record<string, unknown> {
  const service = toRpcService(workerServiceDef(w, visibility), { authorize: () => undefined });
  return { ...service, supported_types: [...w.supportedTypes], use_local_url: w.useLocalUrl };
}
