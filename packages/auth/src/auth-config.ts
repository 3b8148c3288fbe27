import { randomBytes } from 'node:crypto';

/** Settings of token minting and verification; defaults are the reference server's. */
export interface AuthConfig {
  /** HS256 secret (`HYPHA_JWT_SECRET` / `JWT_SECRET`). */
  jwtSecret: string;
  /** `iss` of internal tokens. @default 'https://amun.ai/' */
  issuer: string;
  /** `aud` of internal and OIDC tokens. @default 'https://amun-ai.eu.auth0.com/api/v2/' */
  audience: string;
  /** Prefix of the `roles`, `email` and `parent` claims. @default 'https://amun.ai/' */
  namespace: string;
  /** RS256 issuer settings; undefined disables RS256 tokens. */
  oidc?: OidcConfig;
  /** Lifetime of reconnection tokens in seconds. @default 172800 */
  reconnectionTokenLifetime: number;
}

/** An OIDC / Auth0 issuer whose RS256 tokens are accepted. */
export interface OidcConfig {
  /** e.g. `https://<AUTH0_DOMAIN>/.well-known/jwks.json` */
  jwksUri: string;
  /** Expected `iss`, e.g. `https://<AUTH0_DOMAIN>/`. */
  issuer: string;
  /** Expected `aud`. @default AuthConfig.audience */
  audience?: string;
  /** How long fetched keys are cached. @default 600_000 */
  cacheMaxAgeMs?: number;
  /** Timeout of a JWKS request. @default 10_000 */
  timeoutMs?: number;
}

export const DEFAULT_ISSUER = 'https://amun.ai/';
export const DEFAULT_AUDIENCE = 'https://amun-ai.eu.auth0.com/api/v2/';
export const DEFAULT_NAMESPACE = 'https://amun.ai/';
export const DEFAULT_AUTH0_DOMAIN = 'amun-ai.eu.auth0.com';
export const DEFAULT_RECONNECTION_TOKEN_LIFETIME = 172_800;

/** Result of {@link authConfigFromEnv}. */
export interface EnvAuthConfig {
  config: AuthConfig;
  /** True when no secret was configured and a random one was generated (tokens die with the process). */
  randomSecret: boolean;
}

/**
 * Read the reference's environment variables: HYPHA_JWT_SECRET or JWT_SECRET, AUTH0_ISSUER,
 * AUTH0_AUDIENCE, AUTH0_NAMESPACE, AUTH0_DOMAIN (RS256 via its JWKS), RECONNECTION_TOKEN_LIFE_TIME.
 */
export function authConfigFromEnv(env: Record<string, string | undefined> = process.env): EnvAuthConfig {
  const secret = env.HYPHA_JWT_SECRET || env.JWT_SECRET;
  const domain = env.AUTH0_DOMAIN || DEFAULT_AUTH0_DOMAIN;
  const lifetime = Number(env.RECONNECTION_TOKEN_LIFE_TIME ?? DEFAULT_RECONNECTION_TOKEN_LIFETIME);
  if (!(Number.isFinite(lifetime) && lifetime > 0)) {
    throw new RangeError(`RECONNECTION_TOKEN_LIFE_TIME must be a positive number of seconds, got '${env.RECONNECTION_TOKEN_LIFE_TIME}'`);
  }
  return {
    randomSecret: !secret,
    config: {
      jwtSecret: secret || randomBytes(16).toString('base64url'),
      issuer: env.AUTH0_ISSUER || DEFAULT_ISSUER,
      audience: env.AUTH0_AUDIENCE || DEFAULT_AUDIENCE,
      namespace: env.AUTH0_NAMESPACE || DEFAULT_NAMESPACE,
      oidc: { jwksUri: `https://${domain}/.well-known/jwks.json`, issuer: `https://${domain}/` },
      reconnectionTokenLifetime: lifetime,
    },
  };
}

/** Fill the reference defaults around a secret. */
export function createAuthConfig(options: Partial<AuthConfig> & { jwtSecret: string }): AuthConfig {
  if (!options.jwtSecret) throw new RangeError('jwtSecret must be a non-empty string');
  return {
    issuer: DEFAULT_ISSUER,
    audience: DEFAULT_AUDIENCE,
    namespace: DEFAULT_NAMESPACE,
    reconnectionTokenLifetime: DEFAULT_RECONNECTION_TOKEN_LIFETIME,
    ...options,
  };
}
