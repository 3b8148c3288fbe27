/** Runner side of a child process: spawn a TypeScript script under tsx, talk to it over IPC. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildInfo, ChildMessage, ChildRequest } from './child-protocol.js';
import { fdLimit } from './fd-limit.js';

/** bench/ (the package root): children run with it as their working directory. */
export const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChildOptions {
  /** Script path relative to bench/src. */
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** Raise the soft open-file limit to this (capped at the hard limit) before exec. */
  openFiles?: number;
  exposeGc?: boolean;
  readyTimeoutMs?: number;
}

export interface ChildHandle {
  pid: number;
  info: ChildInfo;
  request<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export type ChildStart = { ok: true; child: ChildHandle } | { ok: false; reason: string };

/** Node flags every child gets: TypeScript via tsx, workspace packages via their "@hypha/source" export. */
export const childNodeFlags = ['--conditions=@hypha/source', '--import', 'tsx'];

/** Set by `pnpm bench --cpu-prof`: children write V8 CPU profiles into this directory. */
export const CPU_PROF_ENV = 'HYPHA_BENCH_CPU_PROF_DIR';

function profileFlags(): string[] {
  const dir = process.env[CPU_PROF_ENV];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function spawnNode(opts: ChildOptions): ChildProcess {
  const nodeArgs = [...childNodeFlags, ...profileFlags(), ...(opts.exposeGc ? ['--expose-gc'] : [])];
  const script = resolve(benchRoot, 'src', opts.script);
  const argv = [process.execPath, ...nodeArgs, script, ...(opts.args ?? [])];
  const env = { ...process.env, ...opts.env };
  const stdio: ['ignore', 'pipe', 'pipe', 'ipc'] = ['ignore', 'pipe', 'pipe', 'ipc'];
  if (opts.openFiles === undefined) {
    return spawn(argv[0], argv.slice(1), { cwd: benchRoot, env, stdio });
  }
  const wanted = Math.min(opts.openFiles, fdLimit().hard);
  return spawn('/bin/sh', ['-c', `ulimit -n ${wanted} && exec "$@"`, 'sh', ...argv], { cwd: benchRoot, env, stdio });
}

export function startChild(opts: ChildOptions): Promise<ChildStart> {
  const proc = spawnNode(opts);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exitPromise = new Promise<void>((done) => proc.once('exit', () => done()));

  return new Promise<ChildStart>((resolveStart, rejectStart) => {
    const timeoutMs = opts.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      rejectStart(new Error(`child ${opts.script} not ready after ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);

    proc.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      const err = new Error(`child ${opts.script} exited (code ${code}, signal ${signal}); output:\n${output}`);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      rejectStart(err); // no effect once started
    });

    proc.on('message', (raw) => {
      const msg = raw as ChildMessage;
      if (msg.kind === 'unavailable') {
        clearTimeout(timer);
        resolveStart({ ok: false, reason: msg.reason });
        return;
      }
      if (msg.kind === 'reply') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(`child ${opts.script} "${msg.id}": ${msg.error}`));
        return;
      }
      clearTimeout(timer);
      const child: ChildHandle = {
        pid: childPid(proc, opts),
        info: msg.info,
        request<T>(cmd: string, args?: unknown): Promise<T> {
          if (exited) return Promise.reject(new Error(`child ${opts.script} has exited; output:\n${output}`));
          const id = nextId++;
          const req: ChildRequest = { kind: 'request', id, cmd, args };
          return new Promise<T>((res, rej) => {
            pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
            proc.send(req);
          });
        },
        async stop(): Promise<void> {
          if (exited) return;
          const killTimer = setTimeout(() => proc.kill('SIGKILL'), 5000);
          proc.disconnect();
          await exitPromise;
          clearTimeout(killTimer);
        },
      };
      resolveStart({ ok: true, child });
    });
  });
}

function childPid(proc: ChildProcess, opts: ChildOptions): number {
  if (proc.pid === undefined) throw new Error(`child ${opts.script} has no pid`);
  // With `sh -c '… exec node'` the shell is replaced by node, so the pid is node's.
  return proc.pid;
}

/** Starts a child that must exist (a floor): "unavailable" is an error here. */
export async function startRequiredChild(opts: ChildOptions): Promise<ChildHandle> {
  const started = await startChild(opts);
  if (!started.ok) throw new Error(`child ${opts.script} unavailable: ${started.reason}`);
  return started.child;
}
