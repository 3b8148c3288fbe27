/**
 * The one place that maps failures to HTTP statuses (server-api §3.2), by their *type*, never by
 * their message: the typed errors of `@hypha/service` by `code` (every domain package throws
 * those), blob-store errors, RPC failures and {@link HttpError}s raised by the routes.
 */
import { isHyphaError } from '@hypha/service';
import type { ErrorCode } from '@hypha/service';
import { isRemoteError, isRpcError } from '@hypha/rpc';
import { isBlobStoreError } from '@hypha/storage';
import type { BlobStoreErrorCode } from '@hypha/storage';

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

/** The HTTP status of each error code of the server. */
export const STATUS_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  not_found: 404,
  unauthenticated: 401,
  permission_denied: 403,
  invalid_argument: 400,
  conflict: 409,
  unavailable: 503,
  timeout: 504,
  too_large: 413,
  unsupported: 501,
  internal: 500,
};

const STATUS_OF_BLOB_CODE: Readonly<Record<BlobStoreErrorCode, number>> = {
  INVALID_KEY: 400,
  NOT_FOUND: 404,
  INVALID_RANGE: 416,
  SIZE_MISMATCH: 400,
  CONFLICT: 500,
  MULTIPART: 400,
  INVALID_ARGUMENT: 400,
  SIGNED_URL_INVALID: 500,
  SIGNED_URL_EXPIRED: 500,
};

const STATUS_OF_RPC_CODE: Readonly<Record<string, number>> = {
  TIMEOUT: 504,
  CLIENT_DISCONNECTED: 502,
  PERMISSION_DENIED: 403,
  METHOD_NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
};

/**
 * An error a remote service raised names its type first (`"KeyError: ..."`; our typed errors
 * travel under the reference's Python names): the reference's status of a RemoteException.
 */
const STATUS_OF_REMOTE_TYPE: Readonly<Record<string, number>> = {
  KeyError: 404,
  PermissionError: 403,
  ValueError: 400,
  TypeError: 400,
  AssertionError: 400,
};

export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (isHyphaError(err)) return STATUS_OF_CODE[err.code] ?? 500;
  if (isBlobStoreError(err)) return STATUS_OF_BLOB_CODE[err.code] ?? 500;
  if (isRpcError(err)) return STATUS_OF_RPC_CODE[err.code] ?? 500;
  if (isRemoteError(err)) {
    const type = /^(\w+):/.exec(err.remoteMessage)?.[1];
    if (type !== undefined && Object.hasOwn(STATUS_OF_REMOTE_TYPE, type)) return STATUS_OF_REMOTE_TYPE[type];
  }
  return 500;
}
