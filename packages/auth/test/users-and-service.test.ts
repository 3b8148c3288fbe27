import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import {
  AuthService,
  assertStrongRootToken,
  createAuthConfig,
  createChildUser,
  createHttpAnonymousUser,
  isAuthError,
  type UserInfo,
} from '../src/index.js';

const config = createAuthConfig({ jwtSecret: 'service-secret' });
const ROOT = 'Zq8vN3kLw7Xp2Rt9Yc4Hm6Jd1Fs5Gb0Q';

const alice: UserInfo = {
  id: 'alice',
  roles: [],
  is_anonymous: false,
  email: 'alice@example.org',
  parent: null,
  scope: { workspaces: { 'ws-user-alice': 'a', lab: 'a', shared: 'rw' }, current_workspace: 'lab', client_id: null, extra_scopes: [] },
};

describe('special users', () => {
  it('creates WS anonymous users with a readable id and their own workspace', async () => {
    const auth = new AuthService({ config });
    const u = await auth.resolveToken(undefined);
    expect(u.id).toMatch(/^anonymouz-[a-z]+-[a-z]+-\d{8}$/);
    expect(u.roles).toEqual(['anonymous']);
    expect(u.is_anonymous).toBe(true);
    expect(u.scope.workspaces).toEqual({ [`ws-user-${u.id}`]: 'a' });
    expect(u.current_workspace).toBe(`ws-user-${u.id}`);
    expect(u.expires_at! - Date.now() / 1000).toBeGreaterThan(590);
    const other = await auth.resolveToken('', { workspace: 'public' });
    expect(other.id).not.toBe(u.id);
    expect(other.current_workspace).toBe('public');
  });

  it('gives HTTP requests without a token the shared anonymous user', async () => {
    const auth = new AuthService({ config });
    expect(await auth.resolveToken(undefined, { anonymous: 'http' })).toEqual(createHttpAnonymousUser());
    expect(createHttpAnonymousUser().scope).toMatchObject({ workspaces: { 'ws-anonymous': 'r' }, current_workspace: 'ws-anonymous' });
  });

  it('authenticates the root token as root', async () => {
    const auth = new AuthService({ config, rootToken: ROOT });
    const root = await auth.resolveToken(ROOT, { workspace: 'lab' });
    expect(root).toMatchObject({ id: 'root', roles: ['admin'], current_workspace: 'lab', expires_at: null });
    expect(root.scope.workspaces).toEqual({ '*': 'a' });
    expect((await auth.resolveToken(` ${ROOT} `)).current_workspace).toBe('ws-user-root');
    await expect(auth.resolveToken(ROOT.slice(0, -1) + 'x')).rejects.toThrow(/Invalid token: not a JWT/);
  });

  it('refuses weak root tokens', () => {
    expect(() => assertStrongRootToken('short')).toThrow(/at least 32 characters/);
    expect(() => assertStrongRootToken('my-admin-token-is-long-enough-123')).toThrow(/too simple \(contains 'admin'\)/);
    expect(() => new AuthService({ config, rootToken: 'x'.repeat(10) })).toThrow(/at least 32/);
    expect(() => assertStrongRootToken('admin' + 'Q'.repeat(60))).not.toThrow();
  });
});

describe('AuthService.resolveToken', () => {
  it('never falls back to anonymous for an invalid token', async () => {
    const auth = new AuthService({ config });
    const forged = jwt.sign({ sub: 'mallory' }, 'wrong', { algorithm: 'HS256' });
    const err = await auth.resolveToken(forged).catch((e: unknown) => e);
    expect(isAuthError(err)).toBe(true);
    expect((err as Error).message).toMatch(/invalid signature/);
  });

  it('grants * admin to users with the admin role', async () => {
    const auth = new AuthService({ config });
    const token = auth.generateToken({ ...alice, roles: ['admin'] });
    const u = await auth.resolveToken(token);
    expect(u.scope.workspaces['*']).toBe('a');
  });

  it('rejects revoked tokens', async () => {
    const auth = new AuthService({ config });
    const token = auth.generateToken(alice, { expiresIn: 60 });
    expect((await auth.resolveToken(token)).id).toBe('alice');
    await auth.revokeToken(token);
    await expect(auth.resolveToken(token)).rejects.toThrow(/^Token has been revoked$/);
    await expect(auth.revokeToken('junk')).rejects.toThrow(/Invalid token/);
  });
});

describe('child tokens (generate_token)', () => {
  it('mints a child of the caller scoped to the target workspace', async () => {
    const auth = new AuthService({ config });
    const token = await auth.generateChildToken(alice, { permission: 'read', client_id: 'c7', extra_scopes: ['file:download'] }, { workspace: 'lab' });
    const claims = jwt.decode(token) as Record<string, unknown>;
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(claims['https://amun.ai/parent']).toBe('alice');
    expect(claims['https://amun.ai/email']).toBe('alice@example.org');
    const child = await auth.parseToken(token);
    expect(child.id).toMatch(/^[a-z]+-[a-z]+-\d{8}$/);
    expect(child.parent).toBe('alice');
    expect(child.scope).toEqual({
      current_workspace: 'lab',
      workspaces: { lab: 'r', [`ws-user-${child.id}`]: 'a' },
      client_id: 'c7',
      extra_scopes: ['file:download'],
    });
    // A grandchild keeps the human as parent.
    const grandchild = createChildUser({ ...child, scope: { ...child.scope, workspaces: { lab: 'a' } } }, {}, { workspace: 'lab' });
    expect(grandchild.user.parent).toBe('alice');
    expect(grandchild.user.scope.workspaces).toEqual({ lab: 'rw' });
  });

  it('requires admin on the target, or ownership', () => {
    expect(() => createChildUser(alice, { workspace: 'shared' }, { workspace: 'lab' })).toThrow(/^Only admin can generate token\.$/);
    expect(() => createChildUser(alice, { workspace: 'elsewhere' }, { workspace: 'lab' })).toThrow(
      /You do not have any permission for workspace: elsewhere/,
    );
    expect(createChildUser(alice, { workspace: 'shared' }, { workspace: 'lab', ownsWorkspace: true }).user.scope.workspaces).toEqual({ shared: 'rw' });
  });

  it('validates the config', () => {
    expect(() => createChildUser(alice, { email: 'x@y.z' }, { workspace: 'lab' })).toThrow(/Only callers with the 'admin' role may set TokenConfig.email/);
    expect(createChildUser({ ...alice, roles: ['admin'] }, { email: 'x@y.z' }, { workspace: 'lab' }).user.email).toBe('x@y.z');
    expect(() => createChildUser(alice, { permission: 'owner' as 'admin' }, { workspace: 'lab' })).toThrow(/Invalid permission 'owner'/);
    expect(() => createChildUser(alice, { extra_scopes: ['cid:evil'] }, { workspace: 'lab' })).toThrow(/cannot start with ws:, cid: or wid:/);
    expect(() => createChildUser(alice, { expires_in: -1 }, { workspace: 'lab' })).toThrow(/expires_in must be a positive number/);
  });
});
