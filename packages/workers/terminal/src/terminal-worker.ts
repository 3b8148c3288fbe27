/**
 * The terminal worker (app type `terminal`): each session runs the manifest's `startup_command`
 * (default `/bin/bash`) in a pseudo-terminal, in a working directory of its own. `execute` types
 * a command and returns what it printed once a prompt is back; `write_terminal`,
 * `read_terminal`, `resize_terminal` and `get_screen_content` drive the terminal directly; the
 * output is also the session's `stdout` log.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerSessions, pageLogs } from '@hypha/apps';
import type { AppWorker, CompileFile, LogPage, WorkerStartConfig } from '@hypha/apps';
import { InvalidArgumentError, NotFoundError, Type, UnavailableError, defineMethod } from '@hypha/service';
import type { CallContext, MethodMap } from '@hypha/service';
import { CommandLineError, resolveExecutable, startupArgv } from './command-line.js';
import { loadPty } from './load-pty.js';
import { stageFiles } from './stage-files.js';
import { filterForXterm, looksLikePrompt, renderScreen, visibleOutput } from './screen-text.js';
import { TerminalSession } from './terminal-session.js';
import type { TerminalSize } from './terminal-session.js';

export interface TerminalWorkerOptions {
  /** Service id. @default 'terminal-worker' */
  id?: string;
  /** Where session directories are made. @default `<tmp>/hypha_sessions_<random>` */
  workingDir?: string;
  /** Most sessions at once. @default 50 */
  maxSessions?: number;
  /**
   * Environment of every session, on top of PATH, HOME, USER, SHELL, LANG and TERM taken from
   * this process; the rest of the server's environment (its secrets) is not passed on.
   */
  env?: Record<string, string>;
  /** Output kept per session for `get_screen_content`, in characters. @default 1 MiB */
  maxTranscript?: number;
}

export interface ExecuteConfig {
  /** Seconds to wait for the prompt to come back. @default 5 */
  timeout?: number;
  /** Return the output with its escape sequences. @default false */
  raw_output?: boolean;
}

const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL'];
const DEFAULT_SIZE: TerminalSize = { rows: 24, cols: 80 };
/** After the echo, output that stops for this long without a prompt also ends an `execute`. */
const IDLE_END_MS = 1500;
/** Before typing, wait for the program's first output and then this much quiet (at most SETTLE_MAX_MS). */
const SETTLE_QUIET_MS = 80;
const SETTLE_MAX_MS = 2000;

/** A directory name for a session id: no separators or dots, and a hash against collisions. */
function sessionDirName(sessionId: string): string {
  const hash = createHash('sha256').update(sessionId).digest('hex').slice(0, 8);
  return `${sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80)}-${hash}`;
}

/** Where the app's files are: given by server apps, else made from server_url, workspace and app_id. */
function appFilesUrl(config: WorkerStartConfig): string {
  if (config.app_files_base_url) return config.app_files_base_url;
  if (config.server_url && config.workspace && config.app_id) {
    return `${config.server_url.replace(/^ws(s?):/, 'http$1:').replace(/\/ws\/?$/, '')}/${config.workspace}/artifacts/${config.app_id}/files`;
  }
  throw new InvalidArgumentError('manifest.files_to_stage needs config.app_files_base_url, or server_url, workspace and app_id');
}

function positiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10000) {
    throw new InvalidArgumentError(`${name} must be an integer between 1 and 10000, got ${JSON.stringify(value)}`);
  }
  return value;
}

export class TerminalWorker implements AppWorker {
  readonly id: string;
  readonly name = 'Terminal Worker';
  readonly description = 'A worker for executing commands in isolated terminal sessions';
  readonly supportedTypes = ['terminal'] as const;
  readonly useLocalUrl = true;
  readonly workingDir: string;
  private readonly sessions = new WorkerSessions<TerminalSession>();
  private readonly starting = new Set<string>();
  private readonly maxSessions: number;
  private readonly env: Record<string, string>;
  private readonly maxTranscript: number;
  /** The working directory was made here (not given): shutdown removes it. */
  private readonly ownsWorkingDir: boolean;

  constructor(o: TerminalWorkerOptions = {}) {
    this.id = o.id ?? 'terminal-worker';
    this.ownsWorkingDir = !o.workingDir;
    this.workingDir = o.workingDir ?? join(tmpdir(), `hypha_sessions_${randomBytes(6).toString('hex')}`);
    mkdirSync(this.workingDir, { recursive: true });
    this.maxSessions = o.maxSessions ?? 50;
    this.env = o.env ?? {};
    this.maxTranscript = o.maxTranscript ?? 1 << 20;
  }

  sessionWorkspace(sessionId: string): string | undefined {
    return this.sessions.get(sessionId)?.info.workspace;
  }

  async compile(manifest: Record<string, unknown>, files: CompileFile[]): Promise<[Record<string, unknown>, CompileFile[]]> {
    return [{ entry_point: 'main.sh', startup_command: '/bin/bash', ...manifest }, files];
  }

  async start(config: WorkerStartConfig): Promise<string> {
    const sid = config.id;
    if (typeof sid !== 'string' || !sid) throw new InvalidArgumentError('config.id (the session id) must be a non-empty string');
    if (this.sessions.get(sid) || this.starting.has(sid)) throw new UnavailableError(`Session ${sid} already exists`);
    if (this.sessions.size + this.starting.size >= this.maxSessions) {
      throw new UnavailableError(`Maximum concurrent sessions (${this.maxSessions}) reached; stop unused sessions before starting new ones`);
    }
    const manifest = config.manifest ?? {};
    let argv: string[];
    try {
      argv = startupArgv(manifest.startup_command);
    } catch (err) {
      throw new InvalidArgumentError(`Invalid manifest: ${(err as Error).message}`);
    }
    const progress = (type: string, message: string) => void Promise.resolve(config.progress_callback?.({ type, message })).catch(() => undefined);
    this.starting.add(sid);
    const cwd = join(this.workingDir, sessionDirName(sid));
    try {
      await mkdir(cwd, { recursive: true });
      const env = this.sessionEnv(config, manifest.env);
      if (manifest.files_to_stage != null) {
        const src = { baseUrl: appFilesUrl(config), token: config.token, stage: Boolean(config.stage) };
        try {
          const n = await stageFiles(manifest.files_to_stage, cwd, src, progress);
          progress('success', `Staged ${n} files`);
        } catch (err) {
          if (err instanceof InvalidArgumentError) throw err;
          throw new UnavailableError(`Failed to prepare staged files: ${(err as Error).message}`);
        }
      }
      progress('info', `Spawning terminal with command: ${argv.join(' ')}`);
      let pty;
      try {
        const file = resolveExecutable(argv[0]!, cwd, env.PATH ?? '');
        pty = (await loadPty()).spawn(file, argv.slice(1), { name: 'xterm-256color', cols: DEFAULT_SIZE.cols, rows: DEFAULT_SIZE.rows, cwd, env });
      } catch (err) {
        if (err instanceof UnavailableError) throw err;
        const reason = err instanceof CommandLineError ? err.message : (err as Error).message;
        throw new UnavailableError(`Failed to spawn terminal process: ${reason}`);
      }
      const session = new TerminalSession(
        pty,
        {
          session_id: sid,
          app_id: String(config.app_id ?? ''),
          workspace: String(config.workspace ?? ''),
          client_id: String(config.client_id ?? ''),
          created_at: new Date().toISOString(),
          startup_command: argv,
          working_dir: cwd,
        },
        { ...DEFAULT_SIZE },
        this.maxTranscript,
      );
      this.sessions.add(sid, session);
      progress('success', `Terminal session ${sid} started successfully`);
      return sid;
    } catch (err) {
      await rm(cwd, { recursive: true, force: true });
      throw err;
    } finally {
      this.starting.delete(sid);
    }
  }

  private sessionEnv(config: WorkerStartConfig, manifestEnv: unknown): Record<string, string> {
    const env: Record<string, string> = { TERM: 'xterm-256color' };
    for (const k of INHERITED_ENV) if (process.env[k]) env[k] = process.env[k]!;
    env.HOME ??= homedir();
    env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
    Object.assign(env, this.env);
    if (manifestEnv != null) {
      if (typeof manifestEnv !== 'object' || Array.isArray(manifestEnv)) throw new InvalidArgumentError('manifest.env must be an object of strings');
      for (const [k, v] of Object.entries(manifestEnv)) env[k] = String(v);
    }
    const hypha: Record<string, unknown> = {
      HYPHA_SERVER_URL: config.server_url,
      HYPHA_WORKSPACE: config.workspace,
      HYPHA_CLIENT_ID: config.client_id,
      HYPHA_TOKEN: config.token,
      HYPHA_APP_ID: config.app_id,
    };
    for (const [k, v] of Object.entries(hypha)) if (typeof v === 'string' && v) env[k] = v;
    return env;
  }

  private session(sessionId: string): TerminalSession {
    const s = this.sessions.get(sessionId);
    if (!s) throw new NotFoundError(`Terminal session ${sessionId} not found`);
    return s;
  }

  private liveSession(sessionId: string): TerminalSession {
    const s = this.session(sessionId);
    if (!s.isAlive) throw new UnavailableError(`Terminal process for session ${sessionId} is not alive (exit code ${s.exitCode})`);
    return s;
  }

  /**
   * Types `script` (and a newline) into the terminal and waits until the prompt is back after the
   * echo of its last line, or output stops for a while, or `timeout` seconds pass.
   */
  async execute(sessionId: string, script: string, config?: Record<string, unknown> | null): Promise<Record<string, unknown>> {
    const s = this.liveSession(sessionId);
    const c = (config ?? {}) as ExecuteConfig;
    const timeout = c.timeout ?? 5;
    if (typeof timeout !== 'number' || !(timeout > 0)) throw new InvalidArgumentError(`config.timeout must be a positive number of seconds, got ${JSON.stringify(timeout)}`);
    const echo = script.trim().split('\n').pop()?.trim() ?? '';
    await s.settle(SETTLE_QUIET_MS, SETTLE_MAX_MS);
    if (!s.isAlive) throw new UnavailableError(`Terminal process for session ${sessionId} is not alive (exit code ${s.exitCode})`);
    const start = s.end;
    s.write(script.endsWith('\n') ? script : `${script}\n`);
    const check = (raw: string): 'prompt' | 'output' | false => {
      const text = renderScreen(raw);
      const at = echo ? text.indexOf(echo) : 0;
      if (at < 0) return false;
      const after = text.slice(at + echo.length);
      const nl = after.indexOf('\n');
      if (nl < 0) return false;
      const printed = after.slice(nl + 1);
      const lines = printed.split('\n');
      if (looksLikePrompt(lines[lines.length - 1]!)) return 'prompt';
      return printed.trim() ? 'output' : false;
    };
    const raw = await s.waitFor(start, check, timeout * 1000, 60, IDLE_END_MS);
    const text = c.raw_output ? raw : visibleOutput(raw, script);
    const outputs: Array<Record<string, unknown>> = [{ type: 'stream', name: 'stdout', text }];
    if (raw.trim()) outputs.push({ type: 'screen', name: 'screen_diff', text: c.raw_output ? raw : text });
    return { status: 'ok', outputs };
  }

  async stop(sessionId: string): Promise<void> {
    await this.sessions.stop(sessionId);
  }

  async getLogs(sessionId: string, type?: string | null, offset = 0, limit: number | null = null): Promise<LogPage | string> {
    const s = this.session(sessionId);
    if (type === 'screen') return renderScreen(s.screen());
    return pageLogs(s.logs, type, offset, limit);
  }

  async shutdown(): Promise<void> {
    await this.sessions.stopAll();
    if (this.ownsWorkingDir) await rm(this.workingDir, { recursive: true, force: true });
  }

  write(sessionId: string, data: string): { success: true; bytes_written: number } {
    this.liveSession(sessionId).write(data);
    return { success: true, bytes_written: data.length };
  }

  read(sessionId: string): { success: boolean; output?: string; error?: string } {
    const s = this.session(sessionId);
    const output = s.read();
    if (!output && !s.isAlive) return { success: false, error: 'Process not alive' };
    return { success: true, output };
  }

  resize(sessionId: string, rows: number, cols: number): { success: true; terminal_size: TerminalSize } {
    const s = this.liveSession(sessionId);
    s.resize({ rows: positiveInt('rows', rows), cols: positiveInt('cols', cols) });
    return { success: true, terminal_size: s.size };
  }

  screenContent(sessionId: string): { success: true; content: string; terminal_size: TerminalSize } {
    const s = this.session(sessionId);
    return { success: true, content: filterForXterm(s.screen()), terminal_size: s.size };
  }

  listSessions(workspace: string | null): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const s of this.sessions.values()) {
      if (workspace !== null && s.info.workspace !== workspace) continue;
      out.push({ ...s.info, status: s.isAlive ? 'running' : 'completed', is_alive: s.isAlive, exit_code: s.exitCode, terminal_size: s.size });
    }
    return out;
  }

  extraMethods(own: (sessionId: unknown, ctx: CallContext) => string): MethodMap {
    const sid = Type.String({ description: 'The session id.' });
    return {
      write_terminal: defineMethod({
        description: 'Write data (keystrokes, text) to the terminal.',
        params: { session_id: sid, data: Type.String({ description: 'What to type; "\\r" is Enter.' }) },
        permission: 'none',
        handler: ({ session_id, data }, ctx) => this.write(own(session_id, ctx), data),
      }),
      read_terminal: defineMethod({
        description: 'Output printed since the last read_terminal call: `{success, output}`.',
        params: { session_id: sid },
        permission: 'none',
        handler: ({ session_id }, ctx) => this.read(own(session_id, ctx)),
      }),
      resize_terminal: defineMethod({
        description: 'Resize the terminal.',
        params: {
          session_id: sid,
          rows: Type.Integer({ description: 'Rows.' }),
          cols: Type.Integer({ description: 'Columns.' }),
        },
        permission: 'none',
        handler: ({ session_id, rows, cols }, ctx) => this.resize(own(session_id, ctx), rows, cols),
      }),
      get_screen_content: defineMethod({
        description: 'The kept output of the terminal, for a terminal emulator: `{success, content}`.',
        params: { session_id: sid },
        permission: 'none',
        handler: ({ session_id }, ctx) => this.screenContent(own(session_id, ctx)),
      }),
      list_sessions: defineMethod({
        description: "The caller's terminal sessions (root: all): `{success, sessions}`.",
        params: {},
        permission: 'none',
        handler: (_args, ctx) => ({ success: true, sessions: this.listSessions(ctx.user.id === 'root' ? null : ctx.ws) }),
      }),
    };
  }
}
