/**
 * Maps failures of the HTTP surface to status codes by their *type*, never by their message
 * (server-api §3.2): typed workspace errors, RPC timeouts and {@link HttpError}s raised here.
 * The body is the reference's `{"success": false, "detail": "<msg>"}`.
 */
import type { Response } from 'express';
import { InvalidInputError, NotFoundError, PermissionDeniedError } from '@hypha/workspace';
import { isRemoteError, isRpcError } from '@hypha/rpc';

/** A failure that already knows its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export const badRequest = (msg: string, cause?: unknown) => new HttpError(400, msg, { cause });
export const notFound = (msg: string) => new HttpError(404, msg);

/**
 * The status of an error a remote service raised, by the type it names (`"KeyError: ..."`): the
 * reference's mapping of a RemoteException (KeyError 404, PermissionError 403, ValueError,
 * TypeError and AssertionError 400). Our typed errors travel under those Python names.
 */
const REMOTE_TYPE_STATUS: Record<string, number> = {
  KeyError: 404,
  PermissionError: 403,
  ValueError: 400,
  TypeError: 400,
  AssertionError: 400,
};

export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof PermissionDeniedError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof InvalidInputError) return 400;
  if (isRpcError(err)) {
    if (err.code === 'TIMEOUT') return 504;
    if (err.code === 'CLIENT_DISCONNECTED') return 502;
    if (err.code === 'PERMISSION_DENIED') return 403;
    if (err.code === 'METHOD_NOT_FOUND') return 404;
    if (err.code === 'INVALID_ARGUMENT') return 400;
  }
  if (isRemoteError(err)) {
    const type = /^(\w+):/.exec(err.remoteMessage)?.[1];
    if (type !== undefined && Object.hasOwn(REMOTE_TYPE_STATUS, type)) return REMOTE_TYPE_STATUS[type];
  }
  return 500;
}

/** `"<ErrorName>: <message>"`, the reference's sanitised detail (no stack). */
export function detailOf(err: unknown): string {
  if (err instanceof HttpError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export function sendError(res: Response, err: unknown, log?: (err: unknown, status: number) => void): void {
  const status = statusOf(err);
  if (status >= 500) log?.(err, status);
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  res.status(status).json({ success: false, detail: detailOf(err) });
}
