/** Codes of {@link DatabaseError}. */
export type DatabaseErrorCode = 'INVALID_URI' | 'INVALID_OPTIONS' | 'CONNECTION_FAILED' | 'MIGRATION_FAILED';

/** Base class of the errors `@hypha/db` throws itself (driver errors pass through as causes). */
export class DatabaseError extends Error {
  readonly code: DatabaseErrorCode;
  constructor(code: DatabaseErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseError';
    this.code = code;
  }
}

/** True when `error` is a {@link DatabaseError}, optionally with the given code. */
export function isDatabaseError(error: unknown, code?: DatabaseErrorCode): error is DatabaseError {
  return error instanceof DatabaseError && (code === undefined || error.code === code);
}
