import { AuthError, PermissionDeniedError } from './errors.js';
import { getPermission } from './permissions.js';
import { readableId } from './readable-id.js';
import { createScope, toPermissionCode } from './scope.js';
import type { UserInfo } from './user-info.js';

/** The manager's `generate_token(config)` argument (reference `TokenConfig`). */
export interface TokenConfig {
  /** Lifetime in seconds. @default 3600 */
  expires_in?: number | null;
  /** Target workspace. @default the caller's context workspace */
  workspace?: string | null;
  /** `read`, `read_write` or `admin`. @default 'read_write' */
  permission?: 'read' | 'read_write' | 'admin' | null;
  /** Extra scopes; `resource:action` entries make the token specialized. */
  extra_scopes?: string[] | null;
  /** Restrict the token to one client id. */
  client_id?: string | null;
  /** Override the email claim; only for callers with the global `admin` role. */
  email?: string | null;
}

export interface ChildTokenContext {
  /** The caller's context workspace (`context.ws`). */
  workspace: string;
  /** Whether the caller owns the target workspace (see `ownsWorkspace`); owners count as admin. */
  ownsWorkspace?: boolean;
}

/**
 * Reference `generate_token` semantics: the caller needs admin on the target workspace (owners
 * are upgraded to admin); the result is a *child* user with a fresh readable id, `parent` = the
 * caller's parent or id, the caller's roles and email, and scope `{target: permission}` with
 * `wid` = target, `cid` = `client_id` and the extra scopes.
 */
export function createChildUser(caller: UserInfo, config: TokenConfig | null | undefined, context: ChildTokenContext): { user: UserInfo; expiresIn: number } {
  const cfg = config ?? {};
  const target = cfg.workspace || context.workspace;
  let permission = getPermission(caller, target);
  // Ownership only stands in for a permission the caller's token does not state: a token that
  // names its permission on the target (a read-only child token of the owner, say) is bound by it,
  // so a token never mints one above its own permission (issue #10 item 3).
  const stated = caller.scope?.workspaces?.[target];
  if (permission !== 'a') {
    if (context.ownsWorkspace && stated === undefined) permission = 'a';
    else if (!permission) throw new PermissionDeniedError(`You do not have any permission for workspace: ${target}`);
  }
  if (permission !== 'a') throw new PermissionDeniedError('Only admin can generate token.');

  const permissionName = cfg.permission ?? 'read_write';
  if (!['read', 'read_write', 'admin'].includes(permissionName)) {
    throw new AuthError('INVALID_ARGUMENT', `Invalid permission '${permissionName}': expected read, read_write or admin`);
  }
  const expiresIn = cfg.expires_in || 3600;
  if (!(Number.isFinite(expiresIn) && expiresIn > 0)) {
    throw new AuthError('INVALID_ARGUMENT', `expires_in must be a positive number of seconds, got ${cfg.expires_in}`);
  }
  let email = caller.email ?? null;
  if (cfg.email != null) {
    if (!caller.roles.includes('admin')) {
      throw new PermissionDeniedError("Only callers with the 'admin' role may set TokenConfig.email");
    }
    email = cfg.email;
  }
  const scope = createScope({
    workspaces: { [target]: toPermissionCode(permissionName) },
    currentWorkspace: target,
    clientId: cfg.client_id ?? null,
    extraScopes: cfg.extra_scopes ?? [],
  });
  return {
    expiresIn,
    user: {
      id: readableId(),
      roles: [...caller.roles],
      is_anonymous: caller.is_anonymous,
      email,
      parent: caller.parent || caller.id,
      expires_at: null,
      current_workspace: target,
      scope,
    },
  };
}
