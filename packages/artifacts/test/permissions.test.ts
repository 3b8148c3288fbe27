import { describe, expect, it } from 'vitest';
import type { UserInfo } from '@hypha/auth';
import { canPerform, expandPermission, permissionsGrant } from '../src/permissions.js';
import { validateFilePath } from '../src/ids.js';

const user = (id: string, workspaces: Record<string, 'r' | 'rw' | 'a'> = {}, anonymous = false): UserInfo => ({
  id,
  roles: anonymous ? ['anonymous'] : [],
  is_anonymous: anonymous,
  email: anonymous ? null : `${id}@example.com`,
  parent: null,
  scope: { workspaces },
});

describe('permission levels', () => {
  it('expands levels to operation sets', () => {
    expect(expandPermission('n')).toEqual([]);
    expect(expandPermission('rw')).toContain('commit');
    expect(expandPermission('rw')).not.toContain('delete');
    expect(expandPermission('rd+')).not.toContain('commit');
    expect(expandPermission('*')).toEqual(expect.arrayContaining(['delete', 'create', 'get_secret']));
    expect(expandPermission(['read', 'edit'])).toEqual(['read', 'edit']);
    expect(expandPermission('bogus')).toEqual([]);
  });

  it('honours *, @ (registered only), user id and email keys, and ws-scoped keys from that ws only', () => {
    const alice = user('alice');
    const anon = user('anonymouz-x', {}, true);
    expect(permissionsGrant({ '@': 'r' }, alice, 'w', 'read')).toBe(true);
    expect(permissionsGrant({ '@': 'r' }, anon, 'w', 'read')).toBe(false);
    expect(permissionsGrant({ '*': 'r' }, anon, 'w', 'read')).toBe(true);
    expect(permissionsGrant({ 'alice@example.com': 'rw' }, alice, 'w', 'commit')).toBe(true);
    expect(permissionsGrant({ 'lab/alice': 'rw' }, alice, 'lab', 'edit')).toBe(true);
    expect(permissionsGrant({ 'lab/alice': 'rw' }, alice, 'other', 'edit')).toBe(false);
  });

  it('falls back to the parent for read-type operations only, then to the workspace', () => {
    const bob = user('bob', { lab: 'r' });
    const child = { workspace: 'lab2', config: {} };
    const parent = { workspace: 'lab2', config: { permissions: { '*': 'rw' } } };
    expect(canPerform(bob, 'lab', 'read', child, parent)).toBe(true);
    expect(canPerform(bob, 'lab', 'edit', child, parent)).toBe(false);
    expect(canPerform(bob, 'lab', 'read', { workspace: 'lab', config: null }, null)).toBe(true);
    expect(canPerform(bob, 'lab', 'commit', { workspace: 'lab', config: null }, null)).toBe(false);
    expect(canPerform(user('admin', { lab: 'a' }), 'lab', 'delete', { workspace: 'lab', config: null }, null)).toBe(true);
  });
});

describe('file paths', () => {
  it('accepts relative paths and rejects traversal, absolute paths and odd segments', () => {
    expect(validateFilePath('a/b.txt')).toBe('a/b.txt');
    expect(validateFilePath('./a.txt')).toBe('a.txt');
    for (const bad of ['../a', 'a/../../b', '/etc/passwd', 'a//b', 'a/./b', 'a\\b', 'a\u0000b', '']) {
      expect(() => validateFilePath(bad)).toThrow(/file_path/);
    }
  });
});
