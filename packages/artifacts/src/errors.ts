/**
 * Typed failures of the artifact manager. `status` is the HTTP status the routes answer with; over
 * RPC the caller sees `<name>: <message>`.
 */
export type ArtifactErrorCode = 'NOT_FOUND' | 'PERMISSION_DENIED' | 'INVALID_INPUT' | 'CONFLICT' | 'NOT_READY';

const STATUS: Record<ArtifactErrorCode, number> = {
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  INVALID_INPUT: 400,
  CONFLICT: 409,
  NOT_READY: 503,
};

const NAMES: Record<ArtifactErrorCode, string> = {
  NOT_FOUND: 'KeyError',
  PERMISSION_DENIED: 'PermissionError',
  INVALID_INPUT: 'ValueError',
  CONFLICT: 'FileExistsError',
  NOT_READY: 'RuntimeError',
};

export class ArtifactError extends Error {
  readonly status: number;

  constructor(
    readonly code: ArtifactErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    // The reference's Python exception names, which clients match on.
    this.name = NAMES[code];
    this.status = STATUS[code];
  }
}

export const notFound = (message: string) => new ArtifactError('NOT_FOUND', message);
export const denied = (message: string) => new ArtifactError('PERMISSION_DENIED', message);
export const invalid = (message: string, cause?: unknown) => new ArtifactError('INVALID_INPUT', message, { cause });
export const conflict = (message: string) => new ArtifactError('CONFLICT', message);
/** A staged file that was never uploaded: the reference raises Python's FileNotFoundError. */
export const fileNotFound = (message: string) => Object.assign(new ArtifactError('NOT_FOUND', message), { name: 'FileNotFoundError' });

export function isArtifactError(err: unknown, code?: ArtifactErrorCode): err is ArtifactError {
  return err instanceof ArtifactError && (code === undefined || err.code === code);
}
