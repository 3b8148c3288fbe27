/**
 * Errors of @hypha/rpc. `RemoteError` came over the wire from a peer; `RpcError` is raised
 * locally (never transmitted as such) and carries a closed `code`.
 *
 * Messages reproduce the reference client's texts (spec §11.3) because applications and the
 * clients' retry logic match on substrings of them.
 */

/** Codes of locally raised errors. */
export type RpcErrorCode =
  | 'TIMEOUT'
  | 'CONNECTION_CLOSED'
  | 'CONNECTION_LOST'
  | 'CLIENT_DISCONNECTED'
  | 'SEND_FAILED'
  | 'METHOD_NOT_FOUND'
  | 'SESSION_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'INVALID_ARGUMENT'
  | 'DECODE_FAILED'
  | 'CHUNK_ERROR';

/** A local failure of the RPC layer. */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  constructor(code: RpcErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RpcError';
    this.code = code;
  }
}

/**
 * An error raised by the remote peer. `message` is `"RemoteError: <remote message>\n<remote
 * stack>"` exactly as hypha-rpc builds it; the parts are also kept separately.
 */
export class RemoteError extends Error {
  /** The peer's error text (`_rvalue`, e.g. `"Error: boom"`). */
  readonly remoteMessage: string;
  /** The peer's stack or traceback (`_rtrace`), or `""`. */
  readonly remoteStack: string;
  constructor(remoteMessage: string, remoteStack: string | null | undefined) {
    super(`RemoteError: ${remoteMessage}\n${remoteStack ?? ''}`);
    this.name = 'RemoteError';
    this.remoteMessage = remoteMessage;
    this.remoteStack = remoteStack ?? '';
  }
}

/** `instanceof`-free guard (safe across duplicated bundles). */
export function isRemoteError(err: unknown): err is RemoteError {
  return err instanceof Error && err.name === 'RemoteError' && 'remoteMessage' in err;
}

/** `instanceof`-free guard (safe across duplicated bundles). */
export function isRpcError(err: unknown): err is RpcError {
  return err instanceof Error && err.name === 'RpcError' && 'code' in err;
}

/** Normalises anything thrown into an Error, keeping the original as `cause`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : safeString(value), { cause: value });
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}
