import { MemoryKeyValueStore } from '@hypha/eventbus';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from './auth-config.js';
import { createChildUser, type ChildTokenContext, type TokenConfig } from './child-token.js';
import { claimsToUser } from './claims.js';
import { AuthError, InvalidTokenError, TokenRevokedError } from './errors.js';
import { generateToken, verifyInternalToken, type GenerateTokenOptions } from './internal-token.js';
import { JwksVerifier } from './jwks-verifier.js';
import { assertStrongRootToken, createAnonymousUser, createHttpAnonymousUser, createRootUser } from './special-users.js';
import { KeyValueRevocationStore, type TokenRevocationStore } from './token-revocation-store.js';
import type { UserInfo } from './user-info.js';
import { normalizeCustomUser, type CustomAuthHooks, type RequestScope } from './custom-auth.js';

/** Options of {@link AuthService}. */
export interface AuthServiceOptions {
  config: AuthConfig;
  /** @default revocations in a process-local MemoryKeyValueStore */
  revocations?: TokenRevocationStore;
  /** `--root-token`: presenting this exact string authenticates as root (validated as strong). */
  rootToken?: string;
}

/** Options of {@link AuthService.resolveToken}. */
export interface ResolveTokenOptions {
  /** The requested workspace (root token: its current workspace; anonymous: the chosen one). */
  workspace?: string | null;
  /** Which anonymous user a missing token yields. @default 'ws' */
  anonymous?: 'ws' | 'http';
}

/**
 * What the server uses for authentication: token → user (internal HS256, OIDC RS256 or the root
 * token), revocation, and minting of user, child and reconnection tokens.
 *
 * @example
 * const auth = new AuthService({ config: authConfigFromEnv().config, revocations: new KeyValueRevocationStore(bus) });
 * const user = await auth.resolveToken(firstMessage.token, { workspace: firstMessage.workspace });
 */
export class AuthService {
  readonly config: AuthConfig;
  readonly #revocations: TokenRevocationStore;
  readonly #rootToken: string | undefined;
  readonly #jwks: JwksVerifier | undefined;
  /** Custom parse/generate/get-token functions installed by startup functions (`register_auth_service`). */
  readonly custom: CustomAuthHooks = {};
  /** Refuses users the server blocks (the admin block list): throws an AuthError. */
  userGate: ((user: UserInfo) => Promise<void>) | null = null;

  constructor(options: AuthServiceOptions) {
    this.config = options.config;
    this.#revocations = options.revocations ?? new KeyValueRevocationStore(new MemoryKeyValueStore());
    if (options.rootToken !== undefined) assertStrongRootToken(options.rootToken);
    this.#rootToken = options.rootToken;
    this.#jwks = options.config.oidc ? new JwksVerifier(options.config.oidc, options.config.audience) : undefined;
  }

  /**
   * The user behind `token`: anonymous when there is no token; otherwise the token must be valid
   * and not revoked (never falls back to anonymous). Users with the `admin` role get `*: a`.
   */
  async resolveToken(token: string | null | undefined, options: ResolveTokenOptions = {}): Promise<UserInfo> {
    if (token === undefined || token === null || token === '') {
      return options.anonymous === 'http' ? createHttpAnonymousUser() : createAnonymousUser(options.workspace);
    }
    const user = await this.parseToken(token, options);
    if (user.id !== 'root' || user.expires_at != null) {
      if (await this.#revocations.isRevoked(token)) throw new TokenRevokedError();
    }
    if (user.roles.includes('admin')) user.scope.workspaces['*'] = 'a';
    if (this.userGate) await this.userGate(user);
    return user;
  }

  /** Verify a token (no revocation check): root token, HS256 internal or RS256 OIDC. */
  async parseToken(token: string, options: { workspace?: string | null } = {}): Promise<UserInfo> {
    if (typeof token !== 'string' || token.trim() === '') throw new InvalidTokenError('Invalid token: empty token');
    if (this.#rootToken !== undefined && token.trim() === this.#rootToken) {
      return createRootUser(options.workspace || 'ws-user-root');
    }
    if (this.custom.parseToken) {
      let parsed: unknown;
      try {
        parsed = await this.custom.parseToken(token);
      } catch (err) {
        if (err instanceof AuthError) throw err;
        throw new InvalidTokenError(`Invalid token: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      return normalizeCustomUser(parsed);
    }
    return this.parseDefaultToken(token);
  }

  /** The built-in parser (HS256 internal or RS256 OIDC), which custom parsers may fall back to. */
  async parseDefaultToken(token: string): Promise<UserInfo> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') {
      throw new InvalidTokenError('Invalid token: not a JWT');
    }
    const alg = decoded.header.alg;
    if (alg === 'HS256') return verifyInternalToken(this.config, token);
    if (alg === 'RS256') {
      if (!this.#jwks) throw new InvalidTokenError('Invalid token: RS256 tokens are not accepted (no OIDC issuer configured)');
      const claims = await this.#jwks.verify(token, decoded.header.kid);
      return claimsToUser(claims, this.config.namespace);
    }
    throw new InvalidTokenError(`Invalid algorithm: ${alg}`);
  }

  /** Mint an internal token for `user` (its scope, roles, email and parent). */
  generateToken(user: UserInfo, options?: GenerateTokenOptions): string {
    return generateToken(this.config, user, options);
  }

  /** The manager's `generate_token(config)`: a child token (see `createChildUser`). */
  async generateChildToken(caller: UserInfo, config: TokenConfig | null | undefined, context: ChildTokenContext): Promise<string> {
    const { user, expiresIn } = createChildUser(caller, config, context);
    if (this.custom.generateToken) {
      const token = await this.custom.generateToken(user, expiresIn);
      if (typeof token !== 'string' || !token) throw new AuthError('INVALID_ARGUMENT', 'The custom generate_token function returned no token string');
      return token;
    }
    return generateToken(this.config, user, { expiresIn });
  }

  /**
   * The token a request carries according to the custom `get_token` function, or null when there
   * is none installed or it found nothing (then the default sources apply).
   */
  async customRequestToken(scope: RequestScope): Promise<string | null> {
    if (!this.custom.getToken) return null;
    const token = await this.custom.getToken(scope);
    if (token === undefined || token === null || token === '') return null;
    if (typeof token !== 'string') throw new InvalidTokenError('Invalid token: the custom get_token function returned a non-string');
    return token;
  }

  /**
   * A reconnection token for a connection's user: its scope must name the client (`cid`) and the
   * workspace (`wid`). Lifetime `RECONNECTION_TOKEN_LIFE_TIME` unless given.
   */
  generateReconnectionToken(user: UserInfo, expiresIn = this.config.reconnectionTokenLifetime): string {
    if (!user.scope.client_id || !user.scope.current_workspace) {
      throw new AuthError('INVALID_ARGUMENT', 'A reconnection token needs a scope with client_id and current_workspace');
    }
    return generateToken(this.config, user, { expiresIn });
  }

  /** Revoke a valid token until its expiry (`revoke_token`). */
  async revokeToken(token: string): Promise<void> {
    let user: UserInfo;
    try {
      user = await this.parseToken(token);
    } catch (err) {
      throw new InvalidTokenError(`Invalid token: ${(err as Error).message}`, { cause: err });
    }
    if (user.expires_at == null) throw new AuthError('INVALID_ARGUMENT', 'This token does not expire and cannot be revoked');
    await this.#revocations.revoke(token, user.expires_at);
  }

  /** True when the token was revoked. */
  isRevoked(token: string): Promise<boolean> {
    return this.#revocations.isRevoked(token);
  }
}
