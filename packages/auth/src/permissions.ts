import { PermissionDeniedError } from './errors.js';
import { getSpecializedScopes, permissionRank, toPermissionCode } from './scope.js';
import type { PermissionCode, UserInfo } from './user-info.js';

/** The personal workspace of a user: `ws-user-<id>`. */
export function getUserWorkspace(user: Pick<UserInfo, 'id'>): string {
  return `ws-user-${user.id}`;
}

/** The human behind a child token (`parent`), else the user id. */
export function getEffectiveUserId(user: Pick<UserInfo, 'id' | 'parent'>): string {
  return user.parent ? user.parent : user.id;
}

/** The strongest of the `*` and the workspace's permission (null when neither exists). */
export function getPermission(user: UserInfo, workspace: string): PermissionCode | null {
  const star = user.scope?.workspaces['*'];
  const specific = user.scope?.workspaces[workspace];
  const best = permissionRank(star) >= permissionRank(specific) ? star : specific;
  return best ?? null;
}

/** True when the user holds at least `level` (code or name) on `workspace`. */
export function checkPermission(user: UserInfo, workspace: string, level: PermissionCode | 'read' | 'read_write' | 'admin'): boolean {
  return permissionRank(getPermission(user, workspace)) >= permissionRank(toPermissionCode(level));
}

/** The workspace fields `ownsWorkspace` needs. */
export interface OwnableWorkspace {
  id: string;
  owners?: string[] | null;
}

/** Reference `owned_by`: id or email in owners, or the personal ws of the user or its parent. */
export function ownsWorkspace(user: UserInfo, workspace: OwnableWorkspace): boolean {
  const owners = workspace.owners ?? [];
  if (owners.includes(user.id) || (user.email != null && owners.includes(user.email))) return true;
  if (workspace.id === getUserWorkspace(user)) return true;
  return user.parent != null && workspace.id === `ws-user-${user.parent}`;
}

/** True for tokens with `resource:action` extra scopes (only valid for the endpoints checking them). */
export function isSpecializedToken(user: UserInfo): boolean {
  return getSpecializedScopes(user.scope).length > 0;
}

/** Throw for specialized tokens: they cannot be used over WS, `/rpc` or for general access. */
export function assertGeneralAccess(user: UserInfo): void {
  const specialized = getSpecializedScopes(user.scope);
  if (specialized.length > 0) {
    throw new PermissionDeniedError(
      `Specialized token with scopes [${specialized.join(', ')}] cannot be used for general workspace access. This token can only be used for its intended purpose.`,
    );
  }
}

/** For specialized tokens, require `scope` among the extra scopes; other tokens pass. */
export function assertScope(user: UserInfo, scope: string): void {
  if (isSpecializedToken(user) && !(user.scope.extra_scopes ?? []).includes(scope)) {
    throw new PermissionDeniedError(
      `Token with scopes [${(user.scope.extra_scopes ?? []).join(', ')}] does not have required scope '${scope}' for this operation.`,
    );
  }
}
