/** Codes of errors raised by `@hypha/auth`; apps/server maps them to close codes and HTTP statuses. */
export type AuthErrorCode =
  | 'TOKEN_EXPIRED'
  | 'INVALID_TOKEN'
  | 'TOKEN_REVOKED'
  | 'PERMISSION_DENIED'
  | 'INVALID_ARGUMENT';

/** Base class of every auth error. */
export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
  }
}

/** The token is past its `exp` (reference text: "The token has expired. Please fetch a new one"). */
export class TokenExpiredError extends AuthError {
  constructor(options?: ErrorOptions) {
    super('TOKEN_EXPIRED', 'The token has expired. Please fetch a new one', options);
    this.name = 'TokenExpiredError';
  }
}

/** Bad signature, wrong audience or issuer, malformed token, unknown key... */
export class InvalidTokenError extends AuthError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_TOKEN', message, options);
    this.name = 'InvalidTokenError';
  }
}

/** The token was revoked (`revoked_token:<token>` exists). */
export class TokenRevokedError extends AuthError {
  constructor() {
    super('TOKEN_REVOKED', 'Token has been revoked');
    this.name = 'TokenRevokedError';
  }
}

/** The user lacks the permission needed (reference raises PermissionError). */
export class PermissionDeniedError extends AuthError {
  constructor(message: string) {
    super('PERMISSION_DENIED', message);
    this.name = 'PermissionDeniedError';
  }
}

/** True for any `@hypha/auth` error, also across bundles (checks the name and code). */
export function isAuthError(err: unknown): err is AuthError {
  return (
    err instanceof AuthError ||
    (err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && /^(Auth|TokenExpired|InvalidToken|TokenRevoked|PermissionDenied)Error$/.test(err.name))
  );
}

/** True when a token failed validation (the WS endpoint closes with 1008 for these). */
export function isTokenValidationError(err: unknown): boolean {
  return isAuthError(err) && (err.code === 'TOKEN_EXPIRED' || err.code === 'INVALID_TOKEN' || err.code === 'TOKEN_REVOKED');
}
