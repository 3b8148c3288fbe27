/**
 * Errors raised by `@hypha/auth`: typed errors of `@hypha/service` (one set for the whole server).
 * A failed token is `unauthenticated`, a refused operation the one `PermissionDeniedError`, bad
 * input `invalid_argument`; `reason` says more, and apps/server maps `code` to an HTTP status.
 */
import { HyphaError, PermissionDeniedError, isHyphaError } from '@hypha/service';
import type { ErrorCode } from '@hypha/service';

export { PermissionDeniedError };

/** Why an auth error was raised. */
export type AuthErrorCode = 'TOKEN_EXPIRED' | 'INVALID_TOKEN' | 'TOKEN_REVOKED' | 'INVALID_ARGUMENT';

const CODE_OF_REASON: Record<AuthErrorCode, ErrorCode> = {
  TOKEN_EXPIRED: 'unauthenticated',
  INVALID_TOKEN: 'unauthenticated',
  TOKEN_REVOKED: 'unauthenticated',
  INVALID_ARGUMENT: 'invalid_argument',
};

/** Base class of the auth errors that are not a plain permission refusal. */
export class AuthError extends HyphaError {
  readonly reason: AuthErrorCode;

  constructor(reason: AuthErrorCode, message: string, options?: ErrorOptions) {
    super(CODE_OF_REASON[reason], message, options);
    this.name = 'AuthError';
    this.reason = reason;
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

const AUTH_ERROR_NAMES = /^(Auth|TokenExpired|InvalidToken|TokenRevoked)Error$/;

/**
 * True for an auth error or a permission refusal (also across bundles: checks the name, reason
 * and code).
 */
export function isAuthError(err: unknown): err is HyphaError {
  if (err instanceof AuthError || isHyphaError(err, 'permission_denied')) return true;
  return isHyphaError(err) && AUTH_ERROR_NAMES.test(err.name) && typeof (err as { reason?: unknown }).reason === 'string';
}

/** True when a token failed validation (the WS endpoint closes with 1008 for these). */
export function isTokenValidationError(err: unknown): boolean {
  return isHyphaError(err, 'unauthenticated');
}
