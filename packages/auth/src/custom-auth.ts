/**
 * Custom authentication hooks (server-api §2.7): a startup function may replace how tokens are
 * parsed and minted, and where HTTP/WebSocket requests carry their token.
 */
import { InvalidTokenError } from './errors.js';
import { isPermissionCode, toPermissionCode } from './scope.js';
import type { PermissionCode, UserInfo } from './user-info.js';

/** `parse_token(token)`: the user behind a token, or a thrown error when it is not valid. */
export type CustomParseToken = (token: string) => unknown;
/** `generate_token(user_info, expires_in)`: a token string for this user. */
export type CustomGenerateToken = (user: UserInfo, expiresIn: number) => unknown;
/**
 * `get_token(scope)`: the token of a request, or null/undefined to use the default sources.
 * `scope.headers` is a list of `[name, value]` pairs (names lower case), as in an ASGI scope.
 */
export type CustomGetToken = (scope: RequestScope) => unknown;

/** What `get_token` sees of a request. */
export interface RequestScope {
  type: 'http' | 'websocket';
  path: string;
  query_string: string;
  headers: [string, string][];
}

/** The hooks installed on an {@link AuthService}; all optional. */
export interface CustomAuthHooks {
  parseToken?: CustomParseToken | null;
  generateToken?: CustomGenerateToken | null;
  getToken?: CustomGetToken | null;
}

function str(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new InvalidTokenError(`Invalid token: the custom parse_token returned a user whose ${what} is not a string`);
  return value;
}

/**
 * Check and complete a user returned by a custom `parse_token` (a plain object with the
 * reference's `UserInfo` fields; permissions may be names or codes).
 * @throws InvalidTokenError naming the field that is wrong
 */
export function normalizeCustomUser(value: unknown): UserInfo {
  if (!value || typeof value !== 'object') throw new InvalidTokenError('Invalid token: the custom parse_token returned no user object');
  const v = value as Record<string, unknown>;
  const id = str(v.id, 'id');
  if (!id) throw new InvalidTokenError('Invalid token: the custom parse_token returned a user without an id');
  const rawScope = (v.scope ?? {}) as Record<string, unknown>;
  if (typeof rawScope !== 'object') throw new InvalidTokenError('Invalid token: the custom parse_token returned a user whose scope is not an object');
  const workspaces: Record<string, PermissionCode> = {};
  for (const [ws, mode] of Object.entries((rawScope.workspaces ?? {}) as Record<string, unknown>)) {
    if (typeof mode !== 'string' || !(isPermissionCode(mode) || ['read', 'read_write', 'admin'].includes(mode))) {
      throw new InvalidTokenError(`Invalid token: the custom parse_token gave workspace ${ws} the permission ${JSON.stringify(mode)} (expected r, rw or a)`);
    }
    workspaces[ws] = toPermissionCode(mode);
  }
  const roles = v.roles ?? [];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) {
    throw new InvalidTokenError('Invalid token: the custom parse_token returned a user whose roles are not a list of strings');
  }
  const extra = rawScope.extra_scopes ?? [];
  const currentWorkspace = str(rawScope.current_workspace, 'scope.current_workspace');
  return {
    id,
    roles: roles as string[],
    is_anonymous: v.is_anonymous === true,
    email: str(v.email, 'email'),
    parent: str(v.parent, 'parent'),
    expires_at: typeof v.expires_at === 'number' ? v.expires_at : null,
    current_workspace: currentWorkspace,
    scope: {
      current_workspace: currentWorkspace,
      workspaces,
      client_id: str(rawScope.client_id, 'scope.client_id'),
      extra_scopes: Array.isArray(extra) ? extra.map(String) : [],
    },
  };
}
