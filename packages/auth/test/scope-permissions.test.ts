import { describe, expect, it } from 'vitest';
import {
  assertGeneralAccess,
  assertScope,
  checkPermission,
  createScope,
  formatScope,
  getEffectiveUserId,
  getPermission,
  isSpecializedToken,
  ownsWorkspace,
  parseScope,
  type UserInfo,
} from '../src/index.js';

const user = (workspaces: UserInfo['scope']['workspaces'], extra: Partial<UserInfo> = {}): UserInfo => ({
  id: 'alice',
  roles: [],
  is_anonymous: false,
  email: 'alice@example.org',
  scope: { workspaces, extra_scopes: [] },
  ...extra,
});

describe('scopes', () => {
  it('parses and formats the space-separated claim', () => {
    const text = 'ws:a#r ws:*#rw cid:c1 wid:a get_file:ws/alias:* openid';
    const scope = parseScope(text);
    expect(scope).toEqual({
      current_workspace: 'a',
      workspaces: { a: 'r', '*': 'rw' },
      client_id: 'c1',
      extra_scopes: ['get_file:ws/alias:*', 'openid'],
    });
    expect(formatScope(scope)).toBe(text);
    expect(parseScope(undefined)).toEqual({ current_workspace: null, workspaces: {}, client_id: null, extra_scopes: [] });
  });

  it('creates scopes from the "ws#mode,…" shortcut and validates extras', () => {
    expect(createScope({ workspaces: '*#a,lab#read_write' }).workspaces).toEqual({ '*': 'a', lab: 'rw' });
    expect(() => createScope({ workspaces: 'lab#owner' })).toThrow(/Invalid permission 'owner'/);
    expect(() => createScope({ workspaces: {}, extraScopes: ['ws:x#a'] })).toThrow(/cannot start with ws:, cid: or wid:/);
    expect(() => createScope({ workspaces: {}, extraScopes: ['two words'] })).toThrow(/without spaces/);
  });
});

describe('permissions', () => {
  it('takes the strongest of * and the workspace', () => {
    expect(getPermission(user({ '*': 'r', lab: 'a' }), 'lab')).toBe('a');
    expect(getPermission(user({ '*': 'a', lab: 'r' }), 'lab')).toBe('a');
    expect(getPermission(user({ '*': 'rw' }), 'other')).toBe('rw');
    expect(getPermission(user({ lab: 'r' }), 'other')).toBeNull();
  });

  it('checks permission by rank r < rw < a', () => {
    const u = user({ lab: 'rw' });
    expect(checkPermission(u, 'lab', 'r')).toBe(true);
    expect(checkPermission(u, 'lab', 'read_write')).toBe(true);
    expect(checkPermission(u, 'lab', 'a')).toBe(false);
    expect(checkPermission(u, 'nope', 'r')).toBe(false);
  });

  it('recognises ownership like owned_by', () => {
    expect(ownsWorkspace(user({}), { id: 'lab', owners: ['alice'] })).toBe(true);
    expect(ownsWorkspace(user({}), { id: 'lab', owners: ['alice@example.org'] })).toBe(true);
    expect(ownsWorkspace(user({}), { id: 'ws-user-alice', owners: [] })).toBe(true);
    expect(ownsWorkspace(user({}, { id: 'child', parent: 'alice' }), { id: 'ws-user-alice' })).toBe(true);
    expect(ownsWorkspace(user({}), { id: 'lab', owners: ['bob'] })).toBe(false);
    expect(getEffectiveUserId({ id: 'child', parent: 'alice' })).toBe('alice');
  });

  it('flags specialized tokens (extra scopes with ":")', () => {
    const plain = user({}, { scope: { workspaces: {}, extra_scopes: ['openid'] } });
    const special = user({}, { scope: { workspaces: {}, extra_scopes: ['file:download', 'openid'] } });
    expect(isSpecializedToken(plain)).toBe(false);
    expect(() => assertGeneralAccess(plain)).not.toThrow();
    expect(isSpecializedToken(special)).toBe(true);
    expect(() => assertGeneralAccess(special)).toThrow(/Specialized token with scopes \[file:download\] cannot be used for general workspace access/);
    expect(() => assertScope(special, 'file:download')).not.toThrow();
    expect(() => assertScope(special, 'file:upload')).toThrow(/does not have required scope 'file:upload'/);
  });
});
