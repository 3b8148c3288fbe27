import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import type { OidcConfig } from './auth-config.js';
import { InvalidTokenError } from './errors.js';
import { toAuthError } from './internal-token.js';
import type { TokenClaims } from './claims.js';

/**
 * RS256 verification against an OIDC issuer's JWKS (Auth0 or any other). Keys are cached per
 * `kid`; an unknown `kid` triggers a refetch (key rotation), rate-limited by jwks-rsa.
 */
export class JwksVerifier {
  readonly #client: JwksClient;
  readonly #issuer: string;
  readonly #audience: string;

  constructor(config: OidcConfig, defaultAudience: string) {
    this.#issuer = config.issuer;
    this.#audience = config.audience ?? defaultAudience;
    this.#client = new JwksClient({
      jwksUri: config.jwksUri,
      cache: true,
      cacheMaxEntries: 10,
      cacheMaxAge: config.cacheMaxAgeMs ?? 600_000,
      rateLimit: true,
      jwksRequestsPerMinute: 10,
      timeout: config.timeoutMs ?? 10_000,
    });
  }

  async verify(token: string, kid: string | undefined): Promise<TokenClaims> {
    if (!kid) throw new InvalidTokenError('Invalid token: RS256 token has no "kid" header');
    let publicKey: string;
    try {
      publicKey = (await this.#client.getSigningKey(kid)).getPublicKey();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new InvalidTokenError(`Invalid token: no signing key for kid '${kid}' (${reason})`, { cause: err });
    }
    try {
      return jwt.verify(token, publicKey, {
        algorithms: ['RS256'],
        audience: this.#audience,
        issuer: this.#issuer,
      }) as TokenClaims;
    } catch (err) {
      throw toAuthError(err);
    }
  }
}
