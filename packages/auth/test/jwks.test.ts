import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService, createAuthConfig } from '../src/index.js';

const AUDIENCE = 'https://api.example.test/';

function rsaKey(kid: string): { kid: string; privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}

let server: Server;
let issuer: string;
let requests = 0;
const served: Record<string, unknown>[] = [];
const key1 = rsaKey('key-1');
const key2 = rsaKey('key-2');
const stranger = rsaKey('key-1');

beforeAll(async () => {
  served.push(key1.jwk);
  server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  issuer = `http://127.0.0.1:${address.port}/`;
});
afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

function auth0Token(key: { kid: string; privateKey: KeyObject }, claims: Record<string, unknown> = {}): string {
  return jwt.sign(
    {
      sub: 'github|1234',
      'https://amun.ai/roles': ['admin'],
      'https://amun.ai/email': 'dana@example.org',
      scope: 'openid profile email',
      aud: AUDIENCE,
      iss: issuer,
      ...claims,
    },
    key.privateKey,
    { algorithm: 'RS256', keyid: key.kid, expiresIn: 600 },
  );
}

function service(): AuthService {
  return new AuthService({
    config: createAuthConfig({ jwtSecret: 'unused', audience: AUDIENCE, oidc: { jwksUri: `${issuer}.well-known/jwks.json`, issuer } }),
  });
}

describe('OIDC (RS256) tokens via JWKS', () => {
  it('verifies tokens, caches keys and refetches on an unknown kid', async () => {
    const auth = service();
    const user = await auth.resolveToken(auth0Token(key1));
    expect(user).toMatchObject({
      id: 'github|1234',
      roles: ['admin'],
      email: 'dana@example.org',
      is_anonymous: false,
      current_workspace: null,
    });
    expect(user.scope.workspaces).toEqual({ 'ws-user-github|1234': 'a', '*': 'a' });
    expect(user.scope.extra_scopes).toEqual(['openid', 'profile', 'email']);
    const afterFirst = requests;
    await auth.parseToken(auth0Token(key1));
    expect(requests).toBe(afterFirst);

    // Key rotation: a token signed with a key the verifier has not seen yet.
    served.push(key2.jwk);
    expect((await auth.parseToken(auth0Token(key2))).id).toBe('github|1234');
    expect(requests).toBe(afterFirst + 1);
  });

  it('rejects wrong audience, wrong issuer, unknown keys and forged signatures', async () => {
    const auth = service();
    await expect(auth.parseToken(auth0Token(key1, { aud: 'https://other/' }))).rejects.toThrow(/jwt audience invalid/);
    await expect(auth.parseToken(auth0Token(key1, { iss: 'https://evil.example/' }))).rejects.toThrow(/jwt issuer invalid/);
    await expect(auth.parseToken(auth0Token({ kid: 'nope', privateKey: key1.privateKey }))).rejects.toThrow(/no signing key for kid 'nope'/);
    await expect(auth.parseToken(auth0Token(stranger))).rejects.toThrow(/Invalid token: invalid signature/);
  });

  it('refuses RS256 tokens when no issuer is configured', async () => {
    const auth = new AuthService({ config: createAuthConfig({ jwtSecret: 's', audience: AUDIENCE }) });
    await expect(auth.parseToken(auth0Token(key1))).rejects.toThrow(/RS256 tokens are not accepted/);
  });
});
