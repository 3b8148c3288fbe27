/**
 * The python-eval worker: fetches the app's entry file from the server (with the session token)
 * and runs it with `python3 -c`, with HYPHA_SERVER_URL, HYPHA_WORKSPACE, HYPHA_CLIENT_ID,
 * HYPHA_TOKEN and HYPHA_APP_ID set; stdout and stderr become the session's logs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { pageLogs } from '@hypha/apps';
import type { AppWorker, LogItem, LogPage, WorkerStartConfig } from '@hypha/apps';
import { NotFoundError, UnavailableError } from '@hypha/service';

export interface PythonEvalWorkerOptions {
  /** The interpreter. @default 'python3' */
  python?: string;
  /** Extra environment for the scripts (PYTHONPATH, ...); the server's own env is not passed on. */
  env?: Record<string, string>;
  /** Service id. @default 'python-eval-worker' */
  id?: string;
}

interface Session {
  logs: LogItem[];
  process: ChildProcess | null;
  done: Promise<number | null>;
}

const MAX_LOG_ITEMS = 2048;

export class PythonEvalWorker implements AppWorker {
  readonly id: string;
  readonly name = 'Python Eval Worker';
  readonly description = 'A worker for executing Python code in isolated processes';
  readonly supportedTypes = ['python-eval'] as const;
  readonly useLocalUrl = true;
  private readonly sessions = new Map<string, Session>();
  private readonly python: string;
  private readonly env: Record<string, string>;

  constructor(o: PythonEvalWorkerOptions = {}) {
    this.id = o.id ?? 'python-eval-worker';
    this.python = o.python ?? 'python3';
    this.env = o.env ?? {};
  }

  async start(config: WorkerStartConfig): Promise<string> {
    const sid = config.id;
    if (this.sessions.has(sid)) throw new UnavailableError(`Session ${sid} already exists`);
    const entry = String((config.manifest?.entry_point as string | undefined) ?? config.entry_point ?? 'source');
    const url = `${config.app_files_base_url}/${entry}?use_proxy=true${config.stage ? '&stage=true' : ''}`;
    const res = await fetch(url, { headers: { Authorization: `Bearer ${config.token}` } });
    if (!res.ok) throw new UnavailableError(`Could not fetch the app script ${entry}: HTTP ${res.status} ${await res.text()}`);
    const script = await res.text();
    const logs: LogItem[] = [];
    const push = (type: string, content: string) => {
      logs.push({ type, content });
      if (logs.length > MAX_LOG_ITEMS) logs.shift();
    };
    const child = spawn(this.python, ['-c', script], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...this.env,
        ...((config.env as Record<string, string> | undefined) ?? {}),
        HYPHA_SERVER_URL: config.server_url,
        HYPHA_WORKSPACE: config.workspace,
        HYPHA_CLIENT_ID: config.client_id,
        HYPHA_TOKEN: config.token,
        HYPHA_APP_ID: config.app_id,
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => push('stdout', d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => push('stderr', d));
    const done = new Promise<number | null>((resolve) => {
      child.on('error', (err) => {
        push('error', `Failed to run ${this.python}: ${err.message}`);
        resolve(null);
      });
      child.on('exit', (code) => {
        push('info', `Python code executed with return code: ${code}`);
        resolve(code);
      });
    });
    this.sessions.set(sid, { logs, process: child, done });
    // As the reference, start returns when the script has run (most scripts register their
    // services and end), but at the latest after `timeout`: a script that keeps running stays up.
    const limit = Math.max(0, Number(config.timeout ?? 0)) * 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, limit)))]);
    clearTimeout(timer);
    return sid;
  }

  async stop(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    this.sessions.delete(sessionId);
    if (s.process && s.process.exitCode === null && s.process.signalCode === null) {
      s.process.kill('SIGTERM');
      const killer = setTimeout(() => s.process?.kill('SIGKILL'), 2000);
      await s.done;
      clearTimeout(killer);
    }
  }

  async getLogs(sessionId: string, type?: string | null, offset = 0, limit: number | null = null): Promise<LogPage> {
    const s = this.sessions.get(sessionId);
    if (!s) throw new NotFoundError(`Python eval session ${sessionId} not found`);
    return pageLogs(s.logs, type, offset, limit);
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
  }
}
