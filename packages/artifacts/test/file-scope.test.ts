import { describe, expect, it } from 'vitest';
import type { UserInfo } from '@hypha/auth';
import { assertFileScope, assertGeneralUse, quotePath } from '../src/file-scope.js';

const user = (extra_scopes: string[]): UserInfo => ({
  id: 'u1',
  roles: [],
  is_anonymous: false,
  email: 'u1@example.com',
  parent: null,
  scope: { workspaces: { ws1: 'r' }, extra_scopes },
});
const artifact = { id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', workspace: 'ws1', alias: 'data' };

describe('specialized file tokens', () => {
  it('quotes paths like Python quote(path, safe="")', () => {
    expect(quotePath('dir/a b.txt')).toBe('dir%2Fa%20b.txt');
    expect(quotePath("it's (1)*!.csv")).toBe('it%27s%20%281%29%2A%21.csv');
    expect(quotePath('x-y_z.~')).toBe('x-y_z.~');
  });

  it('lets ordinary tokens through untouched', () => {
    expect(() => assertGeneralUse(user(['plain']), undefined)).not.toThrow();
    expect(() => assertFileScope(user([]), undefined, 'delete', artifact)).not.toThrow();
  });

  it('matches the alias or uuid form, the exact path or *', () => {
    const check = (scopes: string[], path: string, action: 'get_file' | 'put_file' = 'get_file') =>
      () => assertFileScope(user(scopes), { action, path }, action, artifact);
    expect(check(['get_file:ws1/data:dir%2Fa%20b.txt'], 'dir/a b.txt')).not.toThrow();
    expect(check([`get_file:${artifact.id}:*`], 'any/file')).not.toThrow();
    expect(check(['put_file:ws1/data:*'], 'f', 'put_file')).not.toThrow();
    expect(check(['get_file:ws1/data:a.txt'], 'b.txt')).toThrow(/requires scope 'get_file:ws1\/data:b.txt'/);
    expect(check(['get_file:ws1/other:*'], 'a.txt')).toThrow(/does not match/);
    expect(check(['put_file:ws1/data:*'], 'a.txt')).toThrow(/does not match/);
  });

  it('refuses specialized tokens for anything but the file they are scoped to', () => {
    const u = user(['get_file:ws1/data:*']);
    expect(() => assertGeneralUse(u, undefined)).toThrow(/cannot be used for general workspace access/);
    expect(() => assertFileScope(u, undefined, 'read', artifact)).toThrow(/general workspace access/);
    expect(() => assertFileScope(u, { action: 'get_file', path: 'a' }, 'edit', artifact)).toThrow(/general workspace access/);
  });
});
