/**
 * Errors raised by the workspace manager. Their messages travel to clients inside RPC rejections,
 * so the wording follows the reference server: clients match on substrings such as
 * "Service not found" or "Permission denied".
 */

/** The caller lacks the permission an operation requires. */
export class PermissionDeniedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermissionError';
  }
}

/** A service, workspace, client or type that does not exist (the reference raises KeyError). */
export class NotFoundError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KeyError';
  }
}

/** Input that is malformed or violates a rule (the reference raises ValueError/AssertionError). */
export class InvalidInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ValueError';
  }
}

/** A routing failure for one frame (forged sender, dead target, forbidden broadcast). */
export class RoutingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RoutingError';
  }
}

export function isPermissionDeniedError(err: unknown): err is PermissionDeniedError {
  return err instanceof PermissionDeniedError;
}

export function isNotFoundError(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError;
}
