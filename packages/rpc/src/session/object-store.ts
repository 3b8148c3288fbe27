/**
 * The peer's object store (spec §4.1): registered services under `services`, chunk buffers
 * under `message_cache`, and one nested map per session holding callbacks and promise
 * functions. Method paths such as `services.hello.say` or `<session>.<object id>` index into it.
 */
import type { Timer } from '../utils/timer.js';

/** One session: bookkeeping fields plus encoded callbacks and child sessions by id. */
export interface SessionStore {
  target_id?: string;
  resolve?: (...args: any[]) => void;
  reject?: (...args: any[]) => void;
  heartbeat?: (...args: any[]) => void;
  timer?: Timer;
  heartbeat_task?: ReturnType<typeof setInterval>;
  /** Set on sessions that wait for a reply: replies to a vanished promise session are dropped. */
  _promise?: true;
  _created_at: number;
  _last_activity_at: number;
  [objectId: string]: unknown;
}

const SYSTEM_KEYS = new Set(['services', 'message_cache']);

/** True for keys of the root store that are not sessions. */
export function isSystemKey(key: string): boolean {
  return SYSTEM_KEYS.has(key);
}

/**
 * Walks a dotted path through own properties only, so a path can never reach
 * `Object.prototype` members (`constructor`, `__proto__`, ...).
 */
export function resolvePath(root: Record<string, unknown>, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (node === null || (typeof node !== 'object' && typeof node !== 'function')) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Session bookkeeping for one RPC peer. */
export class ObjectStore {
  readonly root: Record<string, unknown>;
  readonly services: Record<string, any>;
  /** target id → top-level session ids, for fast cleanup when a peer goes away. */
  readonly #byTarget = new Map<string, Set<string>>();

  constructor() {
    this.services = {};
    this.root = { services: this.services };
  }

  /** Returns the session for a dotted id, creating it (and missing parents) when `create`. */
  getSession(sessionId: string, create: true): SessionStore;
  getSession(sessionId: string | undefined | null, create: boolean): SessionStore | null;
  getSession(sessionId: string | undefined | null, create: boolean): SessionStore | null {
    if (!sessionId) return null;
    if (!sessionId.includes('.')) {
      // Fast path: a top-level session.
      const found = Object.prototype.hasOwnProperty.call(this.root, sessionId) ? this.root[sessionId] : undefined;
      if (found !== undefined && found !== null) return typeof found === 'object' ? (found as SessionStore) : null;
      if (!create) return null;
      const now = Date.now();
      const fresh: SessionStore = { _created_at: now, _last_activity_at: now };
      this.root[sessionId] = fresh;
      return fresh;
    }
    let node: Record<string, unknown> = this.root;
    const levels = sessionId.split('.');
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const next = Object.prototype.hasOwnProperty.call(node, level) ? node[level] : undefined;
      if (next === undefined || next === null) {
        if (!create) return null;
        const now = Date.now();
        const fresh: SessionStore = { _created_at: now, _last_activity_at: now };
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
    const top = sessionId.split('.')[0]!;
    let set = this.#byTarget.get(targetId);
    if (!set) this.#byTarget.set(targetId, (set = new Set()));
    set.add(top);
  }

  /** Deletes a session (top-level or nested) and its index entry; clears its timers. */
  deleteSession(sessionId: string): SessionStore | null {
    const levels = sessionId.split('.');
    const last = levels.pop()!;
    const parent = levels.length ? this.getSession(levels.join('.'), false) : this.root;
    if (!parent || !Object.prototype.hasOwnProperty.call(parent, last)) return null;
    const session = parent[last] as SessionStore;
    delete parent[last];
    if (levels.length === 0) this.#unindex(last, session);
    clearSessionTimers(session);
    return session;
  }

  #unindex(top: string, session: SessionStore): void {
    const target = session.target_id;
    if (!target) return;
    const set = this.#byTarget.get(target);
    if (!set) return;
    set.delete(top);
    if (set.size === 0) this.#byTarget.delete(target);
  }

  /** Top-level session ids (excluding `services` / `message_cache`). */
  sessionIds(): string[] {
    return Object.keys(this.root).filter((k) => !isSystemKey(k));
  }

  /** Top-level sessions whose calls went to `targetId`. */
  sessionsForTarget(targetId: string): string[] {
    return [...(this.#byTarget.get(targetId) ?? [])];
  }

  /** Removes sessions idle longer than `maxAgeMs` that no longer wait for anything. */
  sweep(maxAgeMs: number, now = Date.now()): number {
    let swept = 0;
    for (const key of this.sessionIds()) {
      const session = this.root[key] as SessionStore | undefined;
      if (!session || typeof session !== 'object') continue;
      const last = session._last_activity_at ?? session._created_at;
      if (now - last <= maxAgeMs) continue;
      if (session.timer?.started || typeof session.resolve === 'function') continue;
      this.deleteSession(key);
      swept++;
    }
    return swept;
  }
}

/** Stops a session's call timer and callee heartbeat. */
export function clearSessionTimers(session: SessionStore): void {
  session.timer?.clear();
  if (session.heartbeat_task !== undefined) {
    clearInterval(session.heartbeat_task);
    session.heartbeat_task = undefined;
  }
}

/** True if the session holds anything besides bookkeeping (callbacks or child sessions). */
export function sessionHasObjects(session: SessionStore): boolean {
  for (const key of Object.keys(session)) {
    if (key !== 'target_id' && key !== '_created_at' && key !== '_last_activity_at') return true;
  }
  return false;
}
