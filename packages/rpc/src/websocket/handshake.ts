import type { ConnectionInfo } from '../connection.js';
import { ConnectionAbortedError } from './connection-errors.js';
import type { WebSocketConstructor, WebSocketLike } from './websocket-like.js';

/** The JSON text frame a client sends first (spec §2.2). */
export interface AuthMessage {
  client_id: string;
  workspace?: string | null;
  token?: string | null;
  reconnection_token?: string | null;
}

/** Open a socket; resolves once it is open, rejects if it errors or closes first. */
export function openSocket(WebSocketClass: WebSocketConstructor, url: string): Promise<WebSocketLike> {
  return new Promise((resolve, reject) => {
    let ws: WebSocketLike;
    try {
      ws = new WebSocketClass(url);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => resolve(ws);
    ws.onerror = (event) => reject(new Error(`WebSocket connection error: ${describeEvent(event)} (${url})`));
    ws.onclose = (event) =>
      reject(new Error(`WebSocket closed before opening (code=${event.code}, reason=${event.reason || 'unknown'})`));
  });
}

/**
 * Send the auth frame and wait for `connection_info` (spec §2.2–2.4). Binary frames that
 * arrive first are ignored. An `{"type":"error"}` reply, an unexpected reply, a missing
 * `manager_id` or the wrong workspace reject with {@link ConnectionAbortedError} (retrying
 * cannot help); a bare close or a timeout rejects with a plain, retryable `Error`.
 */
export function performHandshake(
  ws: WebSocketLike,
  auth: AuthMessage,
  timeoutSeconds: number,
): Promise<ConnectionInfo> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(new Error(`Failed to receive the first message from the server within ${timeoutSeconds}s`)),
        ),
      timeoutSeconds * 1000,
    );
    ws.onmessage = (event) => {
      // Binary frames before connection_info are ignored (spec §2.5).
      if (typeof event.data !== 'string') return;
      settle(() => {
        try {
          resolve(parseConnectionInfo(event.data as string, auth.workspace));
        } catch (error) {
          reject(error);
        }
      });
    };
    ws.onclose = (event) =>
      settle(() =>
        reject(
          new Error(`WebSocket closed during handshake (code=${event.code}, reason=${event.reason || 'unknown'})`),
        ),
      );
    ws.onerror = (event) =>
      settle(() => reject(new Error(`WebSocket error during handshake: ${describeEvent(event)}`)));
    ws.send(JSON.stringify(auth));
  });
}

function parseConnectionInfo(text: string, expectedWorkspace: string | null | undefined): ConnectionInfo {
  let message: { type?: unknown; message?: unknown } & Record<string, unknown>;
  try {
    message = JSON.parse(text);
  } catch {
    throw new ConnectionAbortedError(`Invalid JSON received from the server: ${text.slice(0, 200)}`);
  }
  if (message?.type === 'error') throw new ConnectionAbortedError(String(message.message));
  if (message?.type !== 'connection_info') {
    throw new ConnectionAbortedError(`Unexpected message received from the server: ${text.slice(0, 200)}`);
  }
  const info = message as ConnectionInfo;
  if (!info.manager_id) throw new ConnectionAbortedError('Failed to get manager ID from server');
  if (expectedWorkspace && info.workspace !== expectedWorkspace) {
    throw new ConnectionAbortedError(
      `Connected to the wrong workspace: ${info.workspace}, expected: ${expectedWorkspace}`,
    );
  }
  return info;
}

function describeEvent(event: unknown): string {
  const inner = (event as { error?: unknown; message?: unknown } | null) ?? {};
  if (inner.error instanceof Error) return inner.error.message;
  if (typeof inner.message === 'string' && inner.message) return inner.message;
  return 'network error';
}
