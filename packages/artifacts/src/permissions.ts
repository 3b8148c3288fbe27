/**
 * The artifact permission model (server-api §4.3): levels expand to operation sets; a check looks
 * at the artifact's own `config.permissions`, then (read-type operations only) the parent's, then
 * the caller's workspace permission.
 */
import { checkPermission, getEffectiveUserId } from '@hypha/auth';
import type { PermissionCode, UserInfo } from '@hypha/auth';
import type { JsonValue } from '@hypha/db';

export type Operation =
  | 'list' | 'read' | 'get_file' | 'list_files' | 'search_vectors' | 'get_vector' | 'list_vectors'
  | 'draft' | 'attach' | 'detach' | 'mutate' | 'edit' | 'commit' | 'put_file' | 'add_vectors'
  | 'remove_file' | 'remove_vectors' | 'discard_changes' | 'get_status' | 'create' | 'reset_stats'
  | 'publish' | 'delete' | 'set_secret' | 'get_secret' | 'set_download_weight';

const READ_OPS: Operation[] = ['read', 'get_file', 'list_files', 'list', 'search_vectors', 'get_vector'];
const RW_OPS: Operation[] = [
  ...READ_OPS, 'list_vectors', 'edit', 'commit', 'put_file', 'add_vectors', 'remove_file', 'remove_vectors',
  'discard_changes', 'detach', 'mutate',
];
const ALL_OPS: Operation[] = [
  ...RW_OPS, 'get_status', 'draft', 'attach', 'create', 'reset_stats', 'publish', 'delete', 'set_secret',
  'get_secret', 'set_download_weight',
];

/** Level name → operations (`_expand_permission`). */
export const PERMISSION_LEVELS: Readonly<Record<string, readonly Operation[]>> = {
  n: [],
  l: ['list'],
  'l+': ['list', 'draft'],
  lv: ['list', 'list_vectors'],
  'lv+': ['list', 'list_vectors', 'draft', 'attach', 'add_vectors'],
  lf: ['list', 'list_files'],
  'lf+': ['list', 'list_files', 'draft', 'attach', 'put_file'],
  r: READ_OPS,
  'r+': [...READ_OPS, 'put_file', 'draft', 'attach', 'add_vectors'],
  'rd+': [
    ...READ_OPS, 'get_status', 'list_vectors', 'edit', 'put_file', 'add_vectors', 'remove_file', 'remove_vectors',
    'discard_changes', 'draft',
  ],
  rw: RW_OPS,
  'rw+': [...RW_OPS, 'get_status', 'draft', 'attach'],
  '*': ALL_OPS,
};

/** Operations for which the parent's permissions are a fallback. */
export const READ_TYPE_OPS: ReadonlySet<Operation> = new Set<Operation>([
  'read', 'list', 'get_file', 'list_files', 'get_vector', 'list_vectors', 'search_vectors',
]);

/** Workspace permission that grants an operation when no artifact permission does. */
export function workspaceLevelFor(op: Operation): PermissionCode {
  if (READ_TYPE_OPS.has(op)) return 'r';
  if (op === 'delete' || op === 'reset_stats' || op === 'publish' || op === 'get_secret') return 'a';
  return 'rw';
}

/** Expands a level name or an explicit operation list. Unknown level names grant nothing. */
export function expandPermission(value: JsonValue | undefined): Operation[] {
  if (typeof value === 'string') return [...(PERMISSION_LEVELS[value] ?? [])];
  if (Array.isArray(value)) return value.filter((v): v is Operation => typeof v === 'string') as Operation[];
  return [];
}

/** Checks that a `config.permissions` map only holds known levels or operation lists. */
export function validatePermissions(value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError('config.permissions must be a map of principal to level');
  for (const [principal, level] of Object.entries(value as Record<string, unknown>)) {
    if (typeof level === 'string') {
      if (!(level in PERMISSION_LEVELS)) {
        throw new TypeError(`Unknown permission level ${JSON.stringify(level)} for ${JSON.stringify(principal)} (known: ${Object.keys(PERMISSION_LEVELS).join(', ')})`);
      }
    } else if (!Array.isArray(level) || level.some((op) => typeof op !== 'string' || !ALL_OPS.includes(op as Operation))) {
      throw new TypeError(`Permission for ${JSON.stringify(principal)} must be a level or a list of operations`);
    }
  }
}

/**
 * Whether a `permissions` map grants `op` to the user. Keys, in order: workspace-scoped keys
 * (`<ws>/*`, `<ws>/@`, `<ws>/<user>`, honoured only when the caller acts from `<ws>`), the
 * user id (the parent's for child tokens) and email, `@` (authenticated), `*` (everyone).
 */
export function permissionsGrant(
  permissions: Record<string, JsonValue> | null | undefined,
  user: UserInfo,
  callerWorkspace: string,
  op: Operation,
): boolean {
  if (!permissions) return false;
  return principalKeys(user, callerWorkspace).some(
    (k) => Object.prototype.hasOwnProperty.call(permissions, k) && expandPermission(permissions[k]).includes(op),
  );
}

/** The `config.permissions` keys that speak for the user, in the order they are checked. */
export function principalKeys(user: UserInfo, callerWorkspace: string): string[] {
  const userId = getEffectiveUserId(user);
  const keys: string[] = [`${callerWorkspace}/${userId}`];
  if (!user.is_anonymous) keys.push(`${callerWorkspace}/@`);
  keys.push(`${callerWorkspace}/*`, userId);
  if (user.id !== userId) keys.push(user.id);
  if (user.email) keys.push(user.email);
  if (!user.is_anonymous) keys.push('@');
  keys.push('*');
  return keys;
}

/** The permission part of an artifact row. */
export interface PermissionSubject {
  workspace: string;
  config: Record<string, JsonValue> | null;
}

function permissionsOf(a: PermissionSubject | null | undefined): Record<string, JsonValue> | null {
  const p = a?.config?.permissions;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, JsonValue>) : null;
}

/** The full check of §4.3 for an operation on `artifact` (whose parent is `parent`). */
export function canPerform(
  user: UserInfo,
  callerWorkspace: string,
  op: Operation,
  artifact: PermissionSubject,
  parent: PermissionSubject | null,
): boolean {
  if (permissionsGrant(permissionsOf(artifact), user, callerWorkspace, op)) return true;
  if (parent && READ_TYPE_OPS.has(op) && permissionsGrant(permissionsOf(parent), user, callerWorkspace, op)) return true;
  return checkPermission(user, artifact.workspace, workspaceLevelFor(op));
}

/**
 * The second half of a read-type check on a child (the reference checks the operation on both the
 * artifact and its collection): the collection's own permissions, or the caller's read permission
 * on the child's workspace. Other operations are not checked on the collection here.
 */
export function parentAllowsRead(
  user: UserInfo,
  callerWorkspace: string,
  op: Operation,
  artifact: PermissionSubject,
  parent: PermissionSubject,
): boolean {
  if (!READ_TYPE_OPS.has(op)) return true;
  return permissionsGrant(permissionsOf(parent), user, callerWorkspace, op) || checkPermission(user, artifact.workspace, 'r');
}

/**
 * Whether a collection lets the caller modify its children's committed versions in place
 * (`mutate`, checked on the collection only), or the caller administers the child's workspace.
 */
export function canMutateChildren(user: UserInfo, callerWorkspace: string, artifact: PermissionSubject, parent: PermissionSubject): boolean {
  return permissionsGrant(permissionsOf(parent), user, callerWorkspace, 'mutate') || checkPermission(user, artifact.workspace, 'a');
}
