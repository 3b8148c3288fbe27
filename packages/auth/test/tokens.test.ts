import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { AuthService, createAuthConfig, generateToken, isTokenValidationError, type UserInfo } from '../src/index.js';

const SECRET = 'shared-secret-with-a-reference-server';
const config = createAuthConfig({ jwtSecret: SECRET });
const auth = new AuthService({ config });
const now = () => Math.floor(Date.now() / 1000);

/** A token laid out exactly like the reference's `_generate_presigned_token` output. */
function referenceToken(overrides: Record<string, unknown> = {}, secret = SECRET): string {
  const iat = now();
  return jwt.sign(
    {
      iss: 'https://amun.ai/',
      sub: 'brave-tiger-12345678',
      aud: 'https://amun-ai.eu.auth0.com/api/v2/',
      iat,
      exp: iat + 3600,
      scope: 'ws:my-lab#rw cid:worker-1 wid:my-lab file:download:abc openid',
      gty: 'client-credentials',
      'https://amun.ai/roles': ['user'],
      'https://amun.ai/email': 'alice@example.org',
      'https://amun.ai/parent': 'github|42',
      ...overrides,
    },
    secret,
    { algorithm: 'HS256' },
  );
}

describe('internal tokens', () => {
  it('parses a token minted by a reference server', async () => {
    const user = await auth.parseToken(referenceToken());
    expect(user).toEqual({
      id: 'brave-tiger-12345678',
      roles: ['user'],
      is_anonymous: false,
      email: 'alice@example.org',
      parent: 'github|42',
      expires_at: expect.any(Number),
      current_workspace: 'my-lab',
      scope: {
        current_workspace: 'my-lab',
        workspaces: { 'my-lab': 'rw', 'ws-user-brave-tiger-12345678': 'a' },
        client_id: 'worker-1',
        extra_scopes: ['file:download:abc', 'openid'],
      },
    });
  });

  it('mints the reference claim layout', () => {
    const user: UserInfo = {
      id: 'u1',
      roles: ['admin'],
      is_anonymous: false,
      email: null,
      parent: 'p1',
      scope: { current_workspace: 'ws-a', workspaces: { 'ws-a': 'a', '*': 'r' }, client_id: 'c1', extra_scopes: ['x:y'] },
    };
    const token = generateToken(config, user, { expiresIn: 120, now: 1_700_000_000 });
    expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(jwt.verify(token, SECRET, { ignoreExpiration: true })).toEqual({
      iss: 'https://amun.ai/',
      sub: 'u1',
      aud: 'https://amun-ai.eu.auth0.com/api/v2/',
      iat: 1_700_000_000,
      exp: 1_700_000_120,
      scope: 'ws:ws-a#a ws:*#r cid:c1 wid:ws-a x:y',
      gty: 'client-credentials',
      'https://amun.ai/roles': ['admin'],
      'https://amun.ai/email': null,
      'https://amun.ai/parent': 'p1',
    });
  });

  it('round-trips generate → parse and omits parent for non-child users', async () => {
    const user: UserInfo = {
      id: 'bob',
      roles: [],
      is_anonymous: false,
      email: 'bob@example.org',
      scope: { workspaces: { 'ws-x': 'r' }, current_workspace: null, client_id: null, extra_scopes: [] },
    };
    const token = auth.generateToken(user);
    expect(Object.keys(jwt.decode(token) as object)).not.toContain('https://amun.ai/parent');
    const parsed = await auth.parseToken(token);
    expect(parsed.scope.workspaces).toEqual({ 'ws-x': 'r', 'ws-user-bob': 'a' });
    expect(parsed.parent).toBeNull();
    expect(parsed.expires_at! - now()).toBeGreaterThan(3500);
  });

  it.each([
    ['expired', () => referenceToken({ iat: now() - 100, exp: now() - 10 }), /^The token has expired\. Please fetch a new one$/],
    ['bad signature', () => referenceToken({}, 'another-secret'), /Invalid token: invalid signature/],
    ['wrong audience', () => referenceToken({ aud: 'https://elsewhere/' }), /Invalid token: jwt audience invalid/],
    ['wrong issuer', () => referenceToken({ iss: 'https://evil/' }), /Invalid token: jwt issuer invalid/],
    ['HS512', () => jwt.sign({ sub: 'x' }, SECRET, { algorithm: 'HS512' }), /Invalid algorithm: HS512/],
    ['garbage', () => 'not-a-token', /Invalid token: not a JWT/],
    ['bad scope', () => referenceToken({ scope: 'ws:lab#superuser' }), /Invalid workspace scope 'ws:lab#superuser'/],
  ])('rejects a token with %s', async (_label, make, message) => {
    const err = await auth.parseToken(make()).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(message);
    expect(isTokenValidationError(err)).toBe(true);
  });

  it('rejects non-positive lifetimes', () => {
    const user = { id: 'u', roles: [], is_anonymous: false, scope: { workspaces: {} } };
    expect(() => generateToken(config, user, { expiresIn: 0 })).toThrow(/expiresIn must be a positive number/);
  });

  it('mints reconnection tokens bound to a client and workspace', async () => {
    const user: UserInfo = {
      id: 'u2',
      roles: [],
      is_anonymous: false,
      scope: { workspaces: { 'ws-q': 'rw' }, current_workspace: 'ws-q', client_id: 'c9', extra_scopes: [] },
    };
    const token = auth.generateReconnectionToken(user);
    const claims = jwt.decode(token) as { exp: number; iat: number; scope: string };
    expect(claims.exp - claims.iat).toBe(172_800);
    expect(claims.scope).toBe('ws:ws-q#rw cid:c9 wid:ws-q');
    const parsed = await auth.parseToken(token);
    expect([parsed.scope.client_id, parsed.scope.current_workspace]).toEqual(['c9', 'ws-q']);
    expect(() => auth.generateReconnectionToken({ ...user, scope: { workspaces: {} } })).toThrow(/needs a scope with client_id/);
  });
});
