import { AuthError } from './errors.js';
import type { PermissionCode, ScopeInfo } from './user-info.js';

/** Permission names used by `generate_token` configs, and their scope codes. */
export const PERMISSION_CODES = { read: 'r', read_write: 'rw', admin: 'a' } as const;
export type PermissionName = keyof typeof PERMISSION_CODES;

const RANK: Record<PermissionCode, number> = { r: 1, rw: 2, a: 3 };

/** r < rw < a (0 for no permission). */
export function permissionRank(code: PermissionCode | null | undefined): number {
  return code ? RANK[code] : 0;
}

export function isPermissionCode(value: unknown): value is PermissionCode {
  return value === 'r' || value === 'rw' || value === 'a';
}

/** Accepts a name (`read`, `read_write`, `admin`) or a code (`r`, `rw`, `a`). */
export function toPermissionCode(value: string): PermissionCode {
  if (isPermissionCode(value)) return value;
  if (value in PERMISSION_CODES) return PERMISSION_CODES[value as PermissionName];
  throw new AuthError('INVALID_ARGUMENT', `Invalid permission '${value}': expected read, read_write or admin (or r, rw, a)`);
}

/**
 * Parse the space-separated `scope` claim: `ws:<ws>#<r|rw|a>`, `cid:<client>`, `wid:<ws>`; any
 * other non-empty entry is an extra scope. A missing claim (e.g. an OIDC token) is an empty scope.
 */
export function parseScope(scope: string | null | undefined): ScopeInfo {
  const parsed: ScopeInfo = { current_workspace: null, workspaces: {}, client_id: null, extra_scopes: [] };
  for (const raw of (scope ?? '').split(' ')) {
    const item = raw.trim();
    if (!item) continue;
    if (item.startsWith('ws:')) {
      const body = item.slice(3);
      const hash = body.lastIndexOf('#');
      const mode = body.slice(hash + 1);
      if (hash <= 0 || !isPermissionCode(mode)) {
        throw new AuthError('INVALID_ARGUMENT', `Invalid workspace scope '${item}': expected 'ws:<workspace>#<r|rw|a>'`);
      }
      parsed.workspaces[body.slice(0, hash)] = mode;
    } else if (item.startsWith('cid:')) {
      parsed.client_id = item.slice(4);
    } else if (item.startsWith('wid:')) {
      parsed.current_workspace = item.slice(4);
    } else {
      parsed.extra_scopes!.push(item);
    }
  }
  return parsed;
}

/** Format a scope as the reference's `generate_jwt_scope`: workspaces, then cid, wid, extras. */
export function formatScope(scope: ScopeInfo): string {
  const parts = Object.entries(scope.workspaces).map(([ws, mode]) => `ws:${ws}#${mode}`);
  if (scope.client_id) parts.push(`cid:${scope.client_id}`);
  if (scope.current_workspace) parts.push(`wid:${scope.current_workspace}`);
  for (const extra of scope.extra_scopes ?? []) parts.push(extra);
  return parts.join(' ');
}

export interface CreateScopeOptions {
  /** `{ws: code}`, or the shortcut string `"ws1#a,ws2#r"`. */
  workspaces: Record<string, PermissionCode> | string;
  clientId?: string | null;
  currentWorkspace?: string | null;
  extraScopes?: string[];
}

/** Build a validated ScopeInfo. */
export function createScope(options: CreateScopeOptions): ScopeInfo {
  let workspaces: Record<string, PermissionCode>;
  if (typeof options.workspaces === 'string') {
    workspaces = {};
    for (const entry of options.workspaces.split(',')) {
      const [ws, mode, ...rest] = entry.split('#');
      if (!ws || mode === undefined || rest.length) {
        throw new AuthError('INVALID_ARGUMENT', `Invalid workspace scope '${entry}': expected '<workspace>#<mode>'`);
      }
      workspaces[ws] = toPermissionCode(mode);
    }
  } else {
    workspaces = {};
    for (const [ws, mode] of Object.entries(options.workspaces)) workspaces[ws] = toPermissionCode(mode);
  }
  const extraScopes = options.extraScopes ?? [];
  for (const extra of extraScopes) assertExtraScope(extra);
  return {
    current_workspace: options.currentWorkspace ?? null,
    workspaces,
    client_id: options.clientId ?? null,
    extra_scopes: extraScopes,
  };
}

/** Extra scopes must survive a round trip through the space-separated claim. */
export function assertExtraScope(extra: string): void {
  if (typeof extra !== 'string' || extra.length === 0 || /\s/.test(extra)) {
    throw new AuthError('INVALID_ARGUMENT', `Invalid extra scope '${String(extra)}': must be a non-empty string without spaces`);
  }
  if (/^(ws|cid|wid):/.test(extra)) {
    throw new AuthError('INVALID_ARGUMENT', `Invalid extra scope '${extra}': cannot start with ws:, cid: or wid:`);
  }
}

/** Extra scopes in the `resource:action` form; tokens having any are "specialized". */
export function getSpecializedScopes(scope: ScopeInfo | null | undefined): string[] {
  return (scope?.extra_scopes ?? []).filter((s) => s.includes(':'));
}
