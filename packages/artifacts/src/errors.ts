/**
 * Failures of the artifact manager: the typed errors of `@hypha/service` (one set for the whole
 * server; apps/server maps their `code` to an HTTP status). Over RPC the caller sees
 * `<name>: <message>` with the reference's Python exception name.
 */
import { ConflictError, HyphaError, InvalidArgumentError, NotFoundError, PermissionDeniedError, isHyphaError } from '@hypha/service';
import type { ErrorCode } from '@hypha/service';

/** The artifact manager's words for the error codes. */
export type ArtifactErrorCode = 'NOT_FOUND' | 'PERMISSION_DENIED' | 'INVALID_INPUT' | 'CONFLICT' | 'NOT_READY';

const CODE: Record<ArtifactErrorCode, ErrorCode> = {
  NOT_FOUND: 'not_found',
  PERMISSION_DENIED: 'permission_denied',
  INVALID_INPUT: 'invalid_argument',
  CONFLICT: 'conflict',
  NOT_READY: 'unavailable',
};

/** A typed error named by the artifact manager's code (`new ArtifactError('CONFLICT', ...)`). */
export class ArtifactError extends HyphaError {
  constructor(code: ArtifactErrorCode, message: string, options?: ErrorOptions) {
    super(CODE[code], message, options);
  }
}

export const notFound = (message: string) => new NotFoundError(message);
export const denied = (message: string) => new PermissionDeniedError(message);
export const invalid = (message: string, cause?: unknown) => new InvalidArgumentError(message, { cause });
export const conflict = (message: string) => new ConflictError(message);
/** A staged file that was never uploaded: the reference raises Python's FileNotFoundError. */
export const fileNotFound = (message: string) => Object.assign(new NotFoundError(message), { name: 'FileNotFoundError' });

/** True for a typed error (of the given artifact code, when one is given). */
export function isArtifactError(err: unknown, code?: ArtifactErrorCode): err is HyphaError {
  return isHyphaError(err, code === undefined ? undefined : CODE[code]);
}

/** The reference's message for a bad `download_weight` (clients match on its start). */
export const negativeWeight = (value: unknown) =>
  invalid(`Download weight must be a non-negative number, got ${JSON.stringify(value) ?? String(value)}`);
