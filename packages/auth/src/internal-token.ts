import jwt from 'jsonwebtoken';
import type { AuthConfig } from './auth-config.js';
import { AuthError, InvalidTokenError, TokenExpiredError } from './errors.js';
import { claimsToUser, type TokenClaims } from './claims.js';
import { formatScope } from './scope.js';
import type { UserInfo } from './user-info.js';

export interface GenerateTokenOptions {
  /** Lifetime in seconds (must be > 0). @default 3600 */
  expiresIn?: number;
  /** Issue time override in seconds since epoch (tests, offline minting). */
  now?: number;
  /** Extra claims (namespaced by the caller). */
  claims?: Record<string, unknown>;
}

/**
 * Mint an internal HS256 token with the reference's claim layout, so reference servers sharing
 * the JWT secret accept it (and the reverse).
 */
export function generateToken(config: AuthConfig, user: UserInfo, options: GenerateTokenOptions = {}): string {
  const expiresIn = options.expiresIn ?? 3600;
  if (!(Number.isFinite(expiresIn) && expiresIn > 0)) {
    throw new AuthError('INVALID_ARGUMENT', `expiresIn must be a positive number of seconds, got ${expiresIn}`);
  }
  const iat = Math.floor(options.now ?? Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: config.issuer,
    sub: user.id,
    aud: config.audience,
    iat,
    exp: iat + Math.floor(expiresIn),
    scope: formatScope(user.scope),
    gty: 'client-credentials',
    [`${config.namespace}roles`]: user.roles,
    [`${config.namespace}email`]: user.email ?? null,
  };
  if (user.parent) payload[`${config.namespace}parent`] = user.parent;
  if (options.claims) Object.assign(payload, options.claims);
  return jwt.sign(payload, config.jwtSecret, { algorithm: 'HS256' });
}

/** Verify an HS256 token (signature, exp, aud, iss) and return its user. */
export function verifyInternalToken(config: AuthConfig, token: string): UserInfo {
  let claims: TokenClaims;
  try {
    claims = jwt.verify(token, config.jwtSecret, {
      algorithms: ['HS256'],
      audience: config.audience,
      issuer: config.issuer,
    }) as TokenClaims;
  } catch (err) {
    throw toAuthError(err);
  }
  return claimsToUser(claims, config.namespace);
}

/** Map jsonwebtoken errors to auth errors with the library's precise reason. */
export function toAuthError(err: unknown): AuthError {
  if (err instanceof jwt.TokenExpiredError) return new TokenExpiredError({ cause: err });
  if (err instanceof AuthError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new InvalidTokenError(`Invalid token: ${reason}`, { cause: err });
}
