/**
 * Permission arithmetic on UserInfo scopes (server-api §2.2): r < rw < a; the strongest of
 * `workspaces["*"]` and `workspaces[ws]` wins; admins hold `*#a`; a user is always admin of the
 * personal workspace `ws-user-<id>`.
 */
import type { PermissionCode, UserInfo } from '@hypha/auth';

const RANK: Record<PermissionCode, number> = { r: 1, rw: 2, a: 3 };

export function permissionRank(p: PermissionCode | null | undefined): number {
  return p ? RANK[p] : 0;
}

export function personalWorkspace(user: Pick<UserInfo, 'id'>): string {
  return `ws-user-${user.id}`;
}

export function getPermission(user: UserInfo, workspace: string): PermissionCode | null {
  if (user.roles?.includes('admin')) return 'a';
  if (workspace === personalWorkspace(user)) return 'a';
  if (user.parent && workspace === `ws-user-${user.parent}` && user.scope?.workspaces?.[workspace]) {
    return user.scope.workspaces[workspace];
  }
  const scopes = user.scope?.workspaces ?? {};
  const direct = scopes[workspace];
  const wildcard = scopes['*'];
  return permissionRank(wildcard) > permissionRank(direct) ? wildcard! : (direct ?? null);
}

export function checkPermission(user: UserInfo, workspace: string, required: PermissionCode): boolean {
  return permissionRank(getPermission(user, workspace)) >= RANK[required];
}

/** Maps the TokenConfig names (`read`, `read_write`, `admin`) and codes to a code. */
export function toPermissionCode(name: string): PermissionCode {
  switch (name) {
    case 'read':
    case 'r':
      return 'r';
    case 'read_write':
    case 'rw':
      return 'rw';
    case 'admin':
    case 'a':
      return 'a';
    default:
      throw new Error(`Invalid permission: ${name} (expected read, read_write or admin)`);
  }
}
