/**
 * Specialized tokens (server-api §2.1, §4.7): a token whose extra scopes contain `resource:action`
 * entries is only good for the file it names, `get_file:<uuid or ws/alias>:<url-encoded path>` or
 * `…:*` for every file of the artifact (downloads and file listings), `put_file:…` for uploads.
 * Such a token never serves as general access, and it only narrows what its user may do: the
 * usual permission check still applies.
 */
import { getSpecializedScopes } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { denied } from './errors.js';
import type { Operation } from './permissions.js';

/** The file the HTTP file routes serve, against which a specialized token is checked. */
export interface FileScope {
  action: 'get_file' | 'put_file';
  /** The file (or directory, for listings) path inside the artifact. */
  path: string;
}

const OPS: Record<FileScope['action'], readonly Operation[]> = {
  get_file: ['get_file', 'list_files'],
  put_file: ['put_file'],
};

/** Python's `urllib.parse.quote(path, safe='')`, which the reference uses for the path part. */
export function quotePath(path: string): string {
  return encodeURIComponent(path).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function generalUse(user: UserInfo) {
  return denied(
    `Specialized token with scopes [${getSpecializedScopes(user.scope).join(', ')}] cannot be used for general workspace access. This token can only be used for its intended purpose.`,
  );
}

/** Refuses specialized tokens outside the file routes (which set `scope`). */
export function assertGeneralUse(user: UserInfo, scope: FileScope | undefined): void {
  if (!scope && getSpecializedScopes(user.scope).length > 0) throw generalUse(user);
}

/**
 * Throws `PermissionError` when `user` holds a specialized token that does not cover `op` on the
 * artifact `{id, workspace, alias}` for `scope`; returns quietly for ordinary tokens.
 */
export function assertFileScope(
  user: UserInfo, scope: FileScope | undefined, op: Operation, artifact: { id: string; workspace: string; alias: string | null },
): void {
  if (getSpecializedScopes(user.scope).length === 0) return;
  const held = user.scope.extra_scopes ?? [];
  if (!scope || !OPS[scope.action].includes(op)) throw generalUse(user);
  const aliasId = artifact.alias ? `${artifact.workspace}/${artifact.alias}` : null;
  const encoded = quotePath(scope.path);
  for (const aid of [artifact.id, aliasId]) {
    if (aid && (held.includes(`${scope.action}:${aid}:${encoded}`) || held.includes(`${scope.action}:${aid}:*`))) return;
  }
  throw denied(
    `Token scope does not match requested file. Token has scopes [${held.join(', ')}], but requested file requires scope '${scope.action}:${aliasId ?? artifact.id}:${encoded}'.`,
  );
}
