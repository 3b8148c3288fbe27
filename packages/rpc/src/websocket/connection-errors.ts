/**
 * The server refused the connection (an `{"type":"error"}` reply during the handshake, or a
 * handshake check such as the workspace assertion failed). Retrying cannot succeed, so the
 * reconnection loop stops on it.
 *
 * The message keeps hypha-rpc's `ConnectionAbortedError: <reason>` prefix because
 * applications and hypha-rpc's own retry logic match on that substring (spec §11.3).
 */
export class ConnectionAbortedError extends Error {
  /** The server's reason, without the prefix. */
  readonly reason: string;

  constructor(reason: string, options?: ErrorOptions) {
    super(`ConnectionAbortedError: ${reason}`, options);
    this.name = 'ConnectionAbortedError';
    this.reason = reason;
  }
}

/** Type guard for {@link ConnectionAbortedError}, also recognising hypha-rpc's string form. */
export function isConnectionAbortedError(error: unknown): boolean {
  if (error instanceof ConnectionAbortedError) return true;
  return String(error instanceof Error ? error.message : error).includes('ConnectionAbortedError:');
}
