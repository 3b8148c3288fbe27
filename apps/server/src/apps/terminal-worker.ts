/**
 * `--enable-terminal-worker`: the terminal worker registered in `public` (with server apps it is
 * also one of the controller's local workers). The reference's environment settings apply:
 * TERMINAL_WORKING_DIR (where session directories go), TERMINAL_AUTHORIZED_WORKSPACES (makes the
 * service protected and lists who may use it) and HYPHA_MAX_TERMINAL_SESSIONS.
 */
import { workerService } from '@hypha/apps';
import { TerminalWorker, ptyUnavailableReason } from '@hypha/worker-terminal';
import type { HyphaCore } from '@hypha/workspace';
import { ConfigError } from '../config-error.js';
import type { LogFn } from '../start-server.js';

type Env = Record<string, string | undefined>;

export function terminalWorkerFromEnv(env: Env): TerminalWorker {
  const max = env.HYPHA_MAX_TERMINAL_SESSIONS;
  const maxSessions = max === undefined ? undefined : Number(max);
  if (maxSessions !== undefined && (!Number.isInteger(maxSessions) || maxSessions < 1)) {
    throw new ConfigError(`HYPHA_MAX_TERMINAL_SESSIONS must be a positive integer, got ${JSON.stringify(max)}`);
  }
  const extra: Record<string, string> = {};
  if (env.PYTHONPATH) extra.PYTHONPATH = env.PYTHONPATH;
  return new TerminalWorker({ workingDir: env.TERMINAL_WORKING_DIR || undefined, maxSessions, env: extra });
}

/** The worker's service: public, or protected for TERMINAL_AUTHORIZED_WORKSPACES when that is set. */
export function terminalWorkerService(w: TerminalWorker, env: Env): Record<string, unknown> {
  const authorized = (env.TERMINAL_AUTHORIZED_WORKSPACES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (authorized.length === 0) return workerService(w, 'public');
  const svc = workerService(w, 'protected');
  return { ...svc, config: { ...(svc.config as Record<string, unknown>), authorized_workspaces: authorized } };
}

export async function warnIfNoPty(log: LogFn): Promise<void> {
  const reason = await ptyUnavailableReason();
  if (reason) log('warn', 'terminal worker registered, but its sessions cannot start here', { reason });
}

/** The terminal worker on its own, for a server without `--enable-server-apps`. */
export async function mountTerminalWorker(core: HyphaCore, env: Env, log: LogFn): Promise<{ close(): Promise<void> }> {
  const worker = terminalWorkerFromEnv(env);
  await warnIfNoPty(log);
  await core.builtins.register(terminalWorkerService(worker, env), { workspace: 'public' });
  return { close: () => worker.shutdown() };
}
