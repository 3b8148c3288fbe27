import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Tokens with `resource:action` extra scopes (server-api §2.1) are only for the endpoints that
// check those scopes (artifact files); every general HTTP route must refuse them.

let t: TestServer;
let specialized: string;
let general: string;

beforeAll(async () => {
  t = await startTestServer();
  const owner = userWith('alice', { 'ws-user-alice': 'a' }, 'ws-user-alice');
  general = mintToken(t.authConfig, owner);
  specialized = mintToken(t.authConfig, {
    ...owner,
    scope: { ...owner.scope, extra_scopes: ['get_file:ws-user-alice/data:*'] },
  });
});

afterAll(async () => {
  await t?.close();
});

describe('specialized tokens over HTTP', () => {
  it('are refused with 403 on service calls, workspace info and the config route', async () => {
    for (const path of ['/ws-user-alice/services/ws/echo?data=1', '/ws-user-alice/info', '/assets/config.json']) {
      for (const headers of <Record<string, string>[]>[{ Authorization: `Bearer ${specialized}` }, { Cookie: `access_token=${specialized}` }]) {
        const res = await fetch(`${t.url}${path}`, { headers });
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
        expect(await res.text()).toContain('Specialized token');
      }
    }
    const viaQuery = await fetch(`${t.url}/ws-user-alice/services/ws/echo?data=1&token=${specialized}`);
    expect(viaQuery.status).toBe(403);
  });

  it('leave the same user with a general token untouched', async () => {
    const res = await fetch(`${t.url}/ws-user-alice/services/ws/echo?data=1`, {
      headers: { Authorization: `Bearer ${general}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(1);
  });
});
