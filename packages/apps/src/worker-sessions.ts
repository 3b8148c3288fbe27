/**
 * The sessions a worker keeps, with their logs: what `stop`, `get_logs` and `shutdown` of the
 * worker contract do for a worker whose sessions are just something to close plus a log.
 */
import { pageLogs } from './worker-contract.js';
import type { LogItem, LogPage } from './worker-contract.js';

export interface WorkerSession {
  logs: LogItem[];
  /** Releases what the session holds (clients, connections, processes). */
  close(): Promise<void>;
}

export class WorkerSessions<S extends WorkerSession = WorkerSession> {
  private readonly sessions = new Map<string, S>();

  add(sessionId: string, session: S): void {
    this.sessions.set(sessionId, session);
  }

  get(sessionId: string): S | undefined {
    return this.sessions.get(sessionId);
  }

  get size(): number {
    return this.sessions.size;
  }

  values(): IterableIterator<S> {
    return this.sessions.values();
  }

  /** Closes and forgets a session; an unknown id is a no-op (it may have stopped already). */
  async stop(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    this.sessions.delete(sessionId);
    await s.close();
  }

  logs(sessionId: string, type?: string | null, offset = 0, limit: number | null = null): LogPage {
    const s = this.sessions.get(sessionId);
    if (!s) throw new Error(`Session not found: ${sessionId}`);
    return pageLogs(s.logs, type, offset, limit);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
  }
}

/**
 * A worker whose `stop`, `get_logs` and `shutdown` are those of its {@link WorkerSessions};
 * subclasses implement `start` and add sessions to `this.sessions`.
 */
export abstract class SessionWorker {
  protected readonly sessions = new WorkerSessions();

  stop(sessionId: string): Promise<void> {
    return this.sessions.stop(sessionId);
  }

  async getLogs(sessionId: string, type?: string | null, offset = 0, limit: number | null = null): Promise<LogPage> {
    return this.sessions.logs(sessionId, type, offset, limit);
  }

  shutdown(): Promise<void> {
    return this.sessions.stopAll();
  }
}
