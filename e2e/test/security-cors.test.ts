import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Issue #10 item 7: credentialed CORS only for origins listed in --allow-origins, and a
// cookie-authenticated state-changing request must come from the same origin (or a listed one),
// so another web site cannot act with a visitor's cookie.

let open: TestServer;
let listed: TestServer;
const EVIL = 'https://evil.example';
const FRIEND = 'https://app.example';

beforeAll(async () => {
  open = await startTestServer();
  listed = await startTestServer({ allowOrigins: [FRIEND] });
});

afterAll(async () => {
  await open?.close();
  await listed?.close();
});

const alice = (t: TestServer) => mintToken(t.authConfig, userWith('alice', { 'ws-user-alice': 'a' }, 'ws-user-alice'));

function echo(t: TestServer, headers: Record<string, string>): Promise<Response> {
  return fetch(`${t.url}/ws-user-alice/services/ws/echo`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ data: 42 }),
  });
}

describe('CORS headers', () => {
  it('with the default "*" any origin may read, but never with credentials', async () => {
    const res = await fetch(`${open.url}/public/services/ws/list_services`, { headers: { Origin: EVIL } });
    expect(res.headers.get('access-control-allow-origin')).toBe(EVIL);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const pre = await fetch(`${open.url}/public/services/ws/list_services`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('an origin listed in --allow-origins gets credentialed CORS; others get none', async () => {
    const ok = await fetch(`${listed.url}/public/services/ws/list_services`, { headers: { Origin: FRIEND } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(FRIEND);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${listed.url}/public/services/ws/list_services`, { headers: { Origin: EVIL } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('cookie-authenticated state-changing requests', () => {
  it('from another origin are refused with 403', async () => {
    const res = await echo(open, { Cookie: `access_token=${alice(open)}`, Origin: EVIL });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/Cross-site request refused/);
    const noOrigin = await echo(open, { Cookie: `access_token=${alice(open)}`, 'Sec-Fetch-Site': 'cross-site' });
    expect(noOrigin.status).toBe(403);
  });

  it('from the same origin, a listed origin, or a non-browser client are accepted', async () => {
    expect((await echo(open, { Cookie: `access_token=${alice(open)}`, Origin: open.url })).status).toBe(200);
    expect((await echo(open, { Cookie: `access_token=${alice(open)}` })).status).toBe(200);
    expect((await echo(listed, { Cookie: `access_token=${alice(listed)}`, Origin: FRIEND })).status).toBe(200);
  });

  it('a bearer token from another origin is not affected (it is not ambient)', async () => {
    const res = await echo(open, { Authorization: `Bearer ${alice(open)}`, Origin: EVIL });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(42);
  });
});
