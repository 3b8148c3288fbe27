import './setup-websocket.js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { createAuthConfig, generateToken, type UserInfo } from '@hypha/auth';
import { startServer, type RunningServer } from '../src/index.js';

// A generic token (no `wid:`, like an Auth0 cookie) over HTTP: it works in any workspace its user
// owns, and the status codes of the failures a browser meets first.

const jwtSecret = randomBytes(24).toString('hex');
const authConfig = createAuthConfig({ jwtSecret });
let server: RunningServer;
let owner: any;
let target = '';

const user = (id: string): UserInfo => ({
  id,
  roles: [],
  is_anonymous: false,
  email: `${id}@example.org`,
  parent: null,
  expires_at: null,
  current_workspace: null,
  scope: { workspaces: { [`ws-user-${id}`]: 'a' }, current_workspace: null, client_id: null, extra_scopes: [] },
});

const post = (url: string, body: unknown, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, jwtSecret });
  const ownerToken = generateToken(authConfig, user('cw-owner'));
  owner = await hyphaWebsocketClient.connectToServer({ server_url: server.url, token: ownerToken });
  target = (await owner.createWorkspace({ name: `cw-target-${randomBytes(3).toString('hex')}`, description: 'cross-workspace target' })).id;
  const inTarget = await hyphaWebsocketClient.connectToServer({ server_url: server.url, token: ownerToken, workspace: target });
  await inTarget.registerService({
    id: 'guarded',
    config: { visibility: 'protected', require_context: true },
    echo: (data: unknown, context?: { ws?: string }) => ({ data, ws: context?.ws ?? null }),
  });
});

afterAll(async () => {
  await owner?.disconnect();
  await server?.close();
});

describe('a generic token over HTTP', () => {
  it("calls a protected service in another workspace its user owns, acting in that workspace", async () => {
    const token = generateToken(authConfig, user('cw-owner'));
    const url = `${server.url}/${target}/services/guarded/echo`;
    const variants: Array<Record<string, string>> = [{ authorization: `Bearer ${token}` }, { cookie: `access_token=${token}` }];
    for (const headers of variants) {
      const res = await post(url, { data: 'hello' }, headers);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: 'hello', ws: target });
    }
  });

  it('is refused on a protected service of a workspace its user does not own', async () => {
    const stranger = generateToken(authConfig, user('cw-stranger'));
    const res = await post(`${server.url}/${target}/services/guarded/echo`, { data: 'x' }, { authorization: `Bearer ${stranger}` });
    expect(res.status).toBe(403);
  });

  it('gets a 404 that says "not found" for a workspace that does not exist', async () => {
    const token = generateToken(authConfig, user('cw-owner'));
    const res = await post(`${server.url}/no-such-workspace-xyz/services/svc/echo`, { data: 'x' }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.success).toBe(false);
    expect(body.detail.toLowerCase()).toContain('not found');
  });
});

describe('errors a service raises, over HTTP', () => {
  it('an unknown login key is a bad request (400), not a server error', async () => {
    const token = generateToken(authConfig, user('cw-owner'));
    const res = await fetch(`${server.url}/public/services/hypha-login/check?key=nonexistent-key&timeout=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toMatch(/Invalid login key/);
  });

  it('maps the remote error type: KeyError 404, PermissionError 403, ValueError 400, others 500', async () => {
    const thrower = (name: string) => () => {
      const err = new Error(`raised as ${name}`);
      err.name = name;
      throw err;
    };
    await owner.registerService({
      id: 'raiser',
      config: { visibility: 'public' },
      key: thrower('KeyError'),
      perm: thrower('PermissionError'),
      value: thrower('ValueError'),
      other: thrower('RuntimeError'),
    });
    const ws = owner.config.workspace;
    const expected: Record<string, number> = { key: 404, perm: 403, value: 400, other: 500 };
    for (const [fn, status] of Object.entries(expected)) {
      const res = await fetch(`${server.url}/${ws}/services/raiser/${fn}`);
      expect({ fn, status: res.status }).toEqual({ fn, status });
      expect((await res.json()).detail).toContain(`raised as`);
    }
  });
});
