import type { UserInfo } from '@hypha/auth';

/**
 * What the workspace layer needs from authentication. The server wires it to `@hypha/auth`.
 * Token verification failures must throw an Error whose message says what was wrong
 * (e.g. "The token has expired. Please fetch a new one").
 */
export interface AuthService {
  /** Verifies a token (signature, expiry, revocation) and returns its user. */
  parseToken(token: string): Promise<UserInfo>;
  /** Issues an internal token for `user` (its scope is encoded as claims). */
  generateToken(user: UserInfo, expiresInSeconds: number): Promise<string>;
  /** Marks a token revoked until it expires; throws for an invalid token. */
  revokeToken(token: string): Promise<void>;
  /** A fresh anonymous user `anonymouz-<readable id>`. */
  createAnonymousUser(): UserInfo;
  /** The root user (`root`, roles admin, `*#a`). */
  rootUser(): UserInfo;
  /** When configured, the exact root token string authenticates as root. */
  isRootToken(token: string): boolean;
}
