import { isConnectionAbortedError } from '../websocket/connection-errors.js';
import { errorText } from '../websocket/logger.js';

/** What one transport plugs into {@link runReconnectLoop}. */
export interface ReconnectLoopSteps {
  /** Attempts before giving up. */
  maxAttempts: number;
  /** Wait before attempt `retry` (0-based), in ms; 0 or less means no wait. */
  delayBefore(retry: number): number;
  /** Sleep `ms` (ended early when the connection is closed). */
  sleep(ms: number): Promise<void>;
  isClosed(): boolean;
  /**
   * One attempt: reconnect and re-register. Resolves `true` when it held, `false` when the
   * connection was closed meanwhile; throws when the attempt failed.
   */
  attempt(): Promise<boolean>;
  /** Runs first after every failed attempt. */
  afterFailure?(): void;
  /** Stop for good with `reason` (refused by the server, or out of attempts). */
  giveUp(reason: string): void;
  reconnected(attempts: number): void;
  attemptFailed(attempt: number, error: unknown, retryInMs: number): void;
}

/**
 * The reconnection loop shared by the WebSocket and HTTP transports (spec §9.2): backoff, one
 * attempt at a time, give up when the server refuses the client (`ConnectionAbortedError`) or
 * after `maxAttempts`; stops quietly once the connection is closed.
 */
export async function runReconnectLoop(steps: ReconnectLoopSteps): Promise<void> {
  let retry = 0;
  let delay = steps.delayBefore(0);
  for (;;) {
    if (delay > 0) await steps.sleep(delay);
    if (steps.isClosed()) return;
    try {
      if (await steps.attempt()) steps.reconnected(retry + 1);
      return;
    } catch (error) {
      steps.afterFailure?.();
      if (steps.isClosed()) return;
      if (isConnectionAbortedError(error)) return steps.giveUp(`Server refused reconnection: ${errorText(error)}`);
      retry += 1;
      if (retry >= steps.maxAttempts) {
        return steps.giveUp(`Reconnection failed after ${retry} attempts: ${errorText(error)}`);
      }
      delay = steps.delayBefore(retry);
      steps.attemptFailed(retry, error, delay);
    }
  }
}
