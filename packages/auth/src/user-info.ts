/** Permission codes in scopes and tokens (server-api §2.2): read < read_write < admin. */
export type PermissionCode = 'r' | 'rw' | 'a';

export interface ScopeInfo {
  current_workspace?: string | null;
  workspaces: Record<string, PermissionCode>;
  client_id?: string | null;
  extra_scopes?: string[];
}

/** The reference `UserInfo` model, field names as the wire and Python clients see them. */
export interface UserInfo {
  id: string;
  roles: string[];
  is_anonymous: boolean;
  email?: string | null;
  parent?: string | null;
  expires_at?: number | null;
  current_workspace?: string | null;
  scope: ScopeInfo;
}
