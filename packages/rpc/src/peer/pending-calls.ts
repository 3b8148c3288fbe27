/**
 * Ending sessions whose peer went away (spec §9): rejecting the calls that wait for a reply and
 * dropping their sessions.
 */
import type { Logger } from '../utils/logger.js';
import { RpcError } from '../errors.js';
import type { ObjectStore, SessionStore } from '../session/object-store.js';

/** Error codes a pending call is rejected with when its session is ended. */
export type SessionEndCode = 'CLIENT_DISCONNECTED' | 'CONNECTION_LOST' | 'CONNECTION_CLOSED';

/** Deletes a session and rejects its pending call, if any. */
export function rejectSession(store: ObjectStore, id: string, session: SessionStore, message: string, code: SessionEndCode): void {
  const reject = session.reject;
  store.deleteSession(id);
  if (typeof reject === 'function') reject(new RpcError(code, message));
}

/** Ends every top-level session whose calls went to `targetId`. @returns how many. */
export function rejectSessionsFor(store: ObjectStore, targetId: string, message: string): number {
  let count = 0;
  for (const id of store.sessionsForTarget(targetId)) {
    const session = store.getSession(id, false);
    if (!session || session.target_id !== targetId) continue;
    rejectSession(store, id, session, message, 'CLIENT_DISCONNECTED');
    count++;
  }
  return count;
}

/** Rejects every call waiting for a reply. @returns how many. */
export function rejectPendingCalls(store: ObjectStore, logger: Logger, reason: string): number {
  let count = 0;
  for (const id of store.sessionIds()) {
    const session = store.getSession(id, false);
    if (!session || typeof session.reject !== 'function') continue;
    rejectSession(store, id, session, reason, 'CONNECTION_LOST');
    count++;
  }
  if (count > 0) logger.warn(`Rejected ${count} pending RPC call(s): ${reason}`);
  return count;
}

/** Ends every session (the peer is closing). */
export function rejectAllSessions(store: ObjectStore, message: string): void {
  for (const id of store.sessionIds()) {
    const session = store.getSession(id, false);
    if (session) rejectSession(store, id, session, message, 'CONNECTION_CLOSED');
  }
}

/** `peer_not_found` from the server: the call in `data.session` and all calls to the peer fail. */
export function handlePeerNotFound(store: ObjectStore, data: Record<string, any>): void {
  const peerId = data.peer_id || data.from || 'unknown';
  const message = data.error || `Peer ${peerId} is not connected`;
  if (typeof data.session === 'string') {
    const session = store.getSession(data.session, false);
    if (session) rejectSession(store, data.session, session, message, 'CLIENT_DISCONNECTED');
  }
  rejectSessionsFor(store, peerId, message);
}

/** Counts of live sessions (for diagnostics and tests). */
export function sessionStats(store: ObjectStore): { total_sessions: number; pending_calls: number; session_ids: string[] } {
  const ids = store.sessionIds();
  const pending = ids.filter((id) => typeof store.getSession(id, false)?.reject === 'function').length;
  return { total_sessions: ids.length, pending_calls: pending, session_ids: ids };
}
