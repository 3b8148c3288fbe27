import { AuthError } from './errors.js';
import { getUserWorkspace } from './permissions.js';
import { readableId } from './readable-id.js';
import type { UserInfo } from './user-info.js';

/** Lifetime of generated anonymous users, in seconds (reference: 600). */
export const ANONYMOUS_USER_LIFETIME = 600;
export const ROOT_USER_ID = 'root';
export const HTTP_ANONYMOUS_USER_ID = 'anonymouz-http';
export const ANONYMOUS_WORKSPACE = 'ws-anonymous';

/**
 * A fresh WS/`/rpc` anonymous user `anonymouz-<readable>`: admin on its own `ws-user-…`,
 * current workspace = `workspace` (the requested one) or its own.
 */
export function createAnonymousUser(workspace?: string | null): UserInfo {
  const id = `anonymouz-${readableId()}`;
  const own = getUserWorkspace({ id });
  const current = workspace || own;
  return {
    id,
    roles: ['anonymous'],
    is_anonymous: true,
    email: null,
    parent: null,
    expires_at: Math.floor(Date.now() / 1000) + ANONYMOUS_USER_LIFETIME,
    current_workspace: current,
    scope: { current_workspace: current, workspaces: { [own]: 'a' }, client_id: null, extra_scopes: [] },
  };
}

/** The user of every HTTP request without a token: read on `ws-anonymous`. */
export function createHttpAnonymousUser(): UserInfo {
  return {
    id: HTTP_ANONYMOUS_USER_ID,
    roles: ['anonymous'],
    is_anonymous: true,
    email: null,
    parent: null,
    expires_at: null,
    current_workspace: ANONYMOUS_WORKSPACE,
    scope: { current_workspace: ANONYMOUS_WORKSPACE, workspaces: { [ANONYMOUS_WORKSPACE]: 'r' }, client_id: null, extra_scopes: [] },
  };
}

/** The internal root user (`*#a`); `workspace` is its current workspace. @default '*' */
export function createRootUser(workspace = '*'): UserInfo {
  return {
    id: ROOT_USER_ID,
    roles: ['admin'],
    is_anonymous: false,
    email: null,
    parent: null,
    expires_at: null,
    current_workspace: workspace,
    scope: { current_workspace: workspace, workspaces: { '*': 'a' }, client_id: null, extra_scopes: [] },
  };
}

const WEAK_PARTS = ['test', 'root', 'admin', 'password', 'token', 'secret', '123', 'abc', 'hypha', 'default'];

/**
 * Reference rules for `--root-token`: at least 32 characters, and below 64 characters it must not
 * contain an obvious word (test, root, admin, password, token, secret, 123, abc, hypha, default).
 */
export function assertStrongRootToken(token: string): void {
  if (typeof token !== 'string' || token.length < 32) {
    throw new AuthError('INVALID_ARGUMENT', 'Root token must be at least 32 characters long; generate one with `openssl rand -base64 32`');
  }
  const lower = token.toLowerCase();
  const weak = WEAK_PARTS.find((part) => lower.includes(part));
  if (weak !== undefined && token.length < 64) {
    throw new AuthError('INVALID_ARGUMENT', `Root token appears to be too simple (contains '${weak}'); use a strong random token`);
  }
}
