import { InvalidTokenError } from './errors.js';
import { getUserWorkspace } from './permissions.js';
import { parseScope } from './scope.js';
import type { UserInfo } from './user-info.js';

/** The decoded payload of a Hypha token (internal HS256 or OIDC RS256). */
export type TokenClaims = Record<string, unknown> & { sub?: unknown; exp?: unknown; scope?: unknown };

/**
 * Reference `get_user_info`: the user described by verified claims. The user always gets admin
 * on their personal workspace `ws-user-<sub>`.
 */
export function claimsToUser(claims: TokenClaims, namespace: string): UserInfo {
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new InvalidTokenError('Invalid token: missing "sub" claim');
  if (typeof claims.exp !== 'number') throw new InvalidTokenError('Invalid token: missing "exp" claim');
  if (claims.scope !== undefined && claims.scope !== null && typeof claims.scope !== 'string') {
    throw new InvalidTokenError('Invalid token: "scope" claim must be a string');
  }
  let scope;
  try {
    scope = parseScope(claims.scope as string | undefined);
  } catch (err) {
    throw new InvalidTokenError(`Invalid token: ${(err as Error).message}`, { cause: err });
  }
  const rolesClaim = claims[`${namespace}roles`] ?? [];
  if (!Array.isArray(rolesClaim) || !rolesClaim.every((r) => typeof r === 'string')) {
    throw new InvalidTokenError(`Invalid token: "${namespace}roles" claim must be a list of strings`);
  }
  const roles = rolesClaim as string[];
  const email = claims[`${namespace}email`];
  const parent = claims[`${namespace}parent`];
  const user: UserInfo = {
    id: claims.sub,
    roles,
    is_anonymous: roles.includes('anonymous'),
    email: typeof email === 'string' ? email : null,
    parent: typeof parent === 'string' ? parent : null,
    expires_at: claims.exp,
    current_workspace: scope.current_workspace ?? null,
    scope,
  };
  user.scope.workspaces[getUserWorkspace(user)] = 'a';
  return user;
}
