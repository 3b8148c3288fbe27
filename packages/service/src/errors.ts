/**
 * The one set of typed errors of the whole server. A domain package throws these; apps/server maps
 * each `code` to an HTTP status in one place; over RPC the caller sees `<name>: <message>`, where
 * `name` is the reference's Python exception name, because clients match on those words.
 */
export type ErrorCode =
  | 'not_found'
  | 'unauthenticated'
  | 'permission_denied'
  | 'invalid_argument'
  | 'conflict'
  | 'unavailable'
  | 'timeout'
  | 'too_large'
  | 'unsupported'
  | 'internal';

/** The Python exception name the reference raises for each code. */
const PYTHON_NAMES: Record<ErrorCode, string> = {
  not_found: 'KeyError',
  unauthenticated: 'PermissionError',
  permission_denied: 'PermissionError',
  invalid_argument: 'ValueError',
  conflict: 'FileExistsError',
  unavailable: 'RuntimeError',
  timeout: 'TimeoutError',
  too_large: 'ValueError',
  unsupported: 'NotImplementedError',
  internal: 'RuntimeError',
};

export const ERROR_CODES = Object.keys(PYTHON_NAMES) as ErrorCode[];

/** A failure that knows what kind it is. */
export class HyphaError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = PYTHON_NAMES[code];
  }
}

/** A service, workspace, client, artifact, file or version that does not exist. */
export class NotFoundError extends HyphaError {
  constructor(message: string, options?: ErrorOptions) {
    super('not_found', message, options);
  }
}

/** The caller lacks the permission an operation requires. */
export class PermissionDeniedError extends HyphaError {
  constructor(message: string, options?: ErrorOptions) {
    super('permission_denied', message, options);
  }
}

/** Malformed input, or input that breaks a rule. */
export class InvalidArgumentError extends HyphaError {
  constructor(message: string, options?: ErrorOptions) {
    super('invalid_argument', message, options);
  }
}

/** The target exists already, or its state forbids the operation. */
export class ConflictError extends HyphaError {
  constructor(message: string, options?: ErrorOptions) {
    super('conflict', message, options);
  }
}

/** A backend or peer that cannot serve now (try again later). */
export class UnavailableError extends HyphaError {
  constructor(message: string, options?: ErrorOptions) {
    super('unavailable', message, options);
  }
}

/**
 * True when `err` is a {@link HyphaError} (optionally of `code`). Also recognises one from another
 * copy of this package (two bundles in one process) by its `code` field.
 */
export function isHyphaError(err: unknown, code?: ErrorCode): err is HyphaError {
  if (!(err instanceof Error)) return false;
  const c = (err as { code?: unknown }).code;
  const typed = err instanceof HyphaError || (typeof c === 'string' && c in PYTHON_NAMES);
  return typed && (code === undefined || c === code);
}

export const isNotFoundError = (err: unknown): err is HyphaError => isHyphaError(err, 'not_found');
export const isPermissionDeniedError = (err: unknown): err is HyphaError => isHyphaError(err, 'permission_denied');
