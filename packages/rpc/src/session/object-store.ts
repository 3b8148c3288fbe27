/**
 * The peer's object store (spec §4.1): registered services under `services` and one nested map
 * per session holding callbacks and promise functions. Method paths such as
 * `services.hello.say` or `<session>.<object id>` index into it.
 */
import type { Timer } from '../utils/timer.js';

/** One session: bookkeeping fields plus encoded callbacks and child sessions by id. */
export interface SessionStore {
  target_id?: string;
  resolve?: (...args: any[]) => void;
  reject?: (...args: any[]) => void;
  heartbeat?: (...args: any[]) => void;
  timer?: Timer;
  /** Set on sessions that wait for a reply: replies to a vanished promise session are dropped. */
  _promise?: true;
  _created_at: number;
  _last_activity_at: number;
  [objectId: string]: unknown;
}

/**
 * Walks a dotted path through own properties only, so a path can never reach
 * `Object.prototype` members (`constructor`, `__proto__`, ...).
 */
export function resolvePath(root: Record<string, unknown>, path: string): unknown {
  let node: unknown = root;
  let start = 0;
  while (true) {
    const dot = path.indexOf('.', start);
    const part = dot < 0 ? path.slice(start) : path.slice(start, dot);
    if (node === null || (typeof node !== 'object' && typeof node !== 'function')) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
    if (dot < 0) return node;
    start = dot + 1;
  }
}

/** Session bookkeeping for one RPC peer. */
export class ObjectStore {
  readonly services: Record<string, any> = {};
  /** Top-level sessions by id (a Map: ids are random and short-lived). */
  readonly #sessions = new Map<string, SessionStore>();
  /**
   * target id → top-level session ids, for fast cleanup when a peer goes away. Emptied sets are
   * kept for reuse (calls to the same peer come and go) and pruned by {@link sweep}.
   */
  readonly #byTarget = new Map<string, Set<string>>();

  /**
   * The object at a dotted method path: `services.<service>.<fn…>` or `<session>.<…>`.
   * Walks own properties only, so a path can never reach `Object.prototype` members.
   */
  resolve(path: string): unknown {
    const dot = path.indexOf('.');
    const head = dot < 0 ? path : path.slice(0, dot);
    const node = head === 'services' ? this.services : this.#sessions.get(head);
    if (node === undefined || dot < 0) return node;
    return resolvePath(node, path.slice(dot + 1));
  }

  /** Returns the session for a dotted id, creating it (and missing parents) when `create`. */
  getSession(sessionId: string, create: true): SessionStore;
  getSession(sessionId: string | undefined | null, create: boolean): SessionStore | null;
  getSession(sessionId: string | undefined | null, create: boolean): SessionStore | null {
    if (!sessionId) return null;
    const dot = sessionId.indexOf('.');
    const topId = dot < 0 ? sessionId : sessionId.slice(0, dot);
    // `services` resolves like a session, as it did when services and sessions shared one map.
    let top = topId === 'services' ? (this.services as SessionStore) : this.#sessions.get(topId);
    if (top === undefined) {
      if (!create) return null;
      top = newSession();
      this.#sessions.set(topId, top);
    }
    if (dot < 0) return top;
    let node: Record<string, unknown> = top;
    const levels = sessionId.slice(dot + 1).split('.');
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const next = Object.prototype.hasOwnProperty.call(node, level) ? node[level] : undefined;
      if (next === undefined || next === null) {
        if (!create) return null;
        const fresh = newSession();
        node[level] = fresh;
        node = fresh;
      } else if (typeof next === 'object') {
        node = next as Record<string, unknown>;
      } else {
        return null;
      }
    }
    return node as SessionStore;
  }

  /** Records which peer a top-level session talks to. */
  setTarget(sessionId: string, targetId: string): void {
    const session = this.getSession(sessionId, true);
    session.target_id = targetId;
    const dot = sessionId.indexOf('.');
    const top = dot < 0 ? sessionId : sessionId.slice(0, dot);
    let set = this.#byTarget.get(targetId);
    if (!set) this.#byTarget.set(targetId, (set = new Set()));
    set.add(top);
  }

  /** Deletes a session (top-level or nested) and its index entry; clears its timers. */
  deleteSession(sessionId: string): SessionStore | null {
    const dot = sessionId.lastIndexOf('.');
    let session: SessionStore | undefined;
    if (dot < 0) {
      if (sessionId === 'services') return null;
      session = this.#sessions.get(sessionId);
      if (session === undefined) return null;
      this.#sessions.delete(sessionId);
      this.#unindex(sessionId, session);
    } else {
      const parent = this.getSession(sessionId.slice(0, dot), false);
      const last = sessionId.slice(dot + 1);
      if (!parent || !Object.prototype.hasOwnProperty.call(parent, last)) return null;
      session = parent[last] as SessionStore;
      delete parent[last];
    }
    clearSessionTimers(session);
    return session;
  }

  #unindex(top: string, session: SessionStore): void {
    const target = session.target_id;
    if (target) this.#byTarget.get(target)?.delete(top);
  }

  /** Top-level session ids. */
  sessionIds(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Top-level sessions whose calls went to `targetId`. */
  sessionsForTarget(targetId: string): string[] {
    return [...(this.#byTarget.get(targetId) ?? [])];
  }

  /** Removes sessions idle longer than `maxAgeMs` that no longer wait for anything. */
  sweep(maxAgeMs: number, now = Date.now()): number {
    let swept = 0;
    for (const key of this.sessionIds()) {
      const session = this.#sessions.get(key);
      if (!session || typeof session !== 'object') continue;
      const last = session._last_activity_at ?? session._created_at;
      if (now - last <= maxAgeMs) continue;
      if (session.timer?.started || typeof session.resolve === 'function') continue;
      this.deleteSession(key);
      swept++;
    }
    for (const [target, set] of this.#byTarget) if (set.size === 0) this.#byTarget.delete(target);
    return swept;
  }
}

function newSession(): SessionStore {
  const now = Date.now();
  return { _created_at: now, _last_activity_at: now };
}

/** Stops a session's call timer. */
export function clearSessionTimers(session: SessionStore): void {
  session.timer?.clear();
}

/** True if the session holds anything besides bookkeeping (callbacks or child sessions). */
export function sessionHasObjects(session: SessionStore): boolean {
  for (const key of Object.keys(session)) {
    if (key !== 'target_id' && key !== '_created_at' && key !== '_last_activity_at') return true;
  }
  return false;
}
