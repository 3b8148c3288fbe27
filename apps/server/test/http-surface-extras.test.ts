import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

let server: RunningServer;
let restricted: RunningServer;
let provider: any;
let ws: string;
let token: string;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
  restricted = await startServer({ port: 0, quiet: true, allowOrigins: ['http://good.example'] });
  provider = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'extras' });
  ws = provider.config.workspace;
  token = await provider.generateToken();
  await provider.registerService({ id: 'calc', config: { visibility: 'public' }, add: (a: number, b: number) => a + b, greet: (name: string) => `hi ${name}` });
});

afterAll(async () => {
  await provider?.disconnect();
  await server?.close();
  await restricted?.close();
});

describe('CORS on the service routes', () => {
  it('echoes an allowed origin (without credentials under the default "*") on calls and answers preflights', async () => {
    const res = await fetch(`${server.url}/${ws}/services/calc/add?a=1&b=2`, { headers: { origin: 'http://app.example' } });
    expect(await res.json()).toBe(3);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
    // Credentialed CORS is only for origins listed by name in --allow-origins (issue #10 item 7).
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/Origin/);
    const pre = await fetch(`${server.url}/${ws}/services/calc/add`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
  });

  it('allows only the configured origins', async () => {
    const good = await fetch(`${restricted.url}/public/services/ws/echo?data=1`, { headers: { origin: 'http://good.example' } });
    expect(good.headers.get('access-control-allow-origin')).toBe('http://good.example');
    expect(good.headers.get('access-control-allow-credentials')).toBe('true');
    const bad = await fetch(`${restricted.url}/`, { headers: { origin: 'http://evil.example' } });
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
    const badPre = await fetch(`${restricted.url}/public/services/`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
    expect(badPre.status).toBe(400);
    expect(await badPre.text()).toBe('Disallowed CORS origin');
  });
});

describe('unknown paths and workspace info', () => {
  it('answers unknown paths with a JSON 404', async () => {
    const res = await fetch(`${server.url}/no/such/route/here`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ success: false, detail: 'Not found: DELETE /no/such/route/here' });
  });

  it('serves /{ws}/info to readers and 403 to callers who cannot read the workspace', async () => {
    const mine = await fetch(`${server.url}/${ws}/info`, { headers: { authorization: `Bearer ${token}` } });
    expect(mine.status).toBe(200);
    const info = await mine.json();
    expect(info.id).toBe(ws);
    const anon = await fetch(`${server.url}/${ws}/info`);
    expect(anon.status).toBe(403);
    expect((await anon.json()).detail).toBe(`Permission denied for workspace ${ws}`);
    const publicInfo = await fetch(`${server.url}/public/info`);
    expect((await publicInfo.json()).id).toBe('public');
    const missing = await fetch(`${server.url}/ws-user-nobody-here/info`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(403);
  });
});

describe('stateless POST /rpc', () => {
  const post = (query: string, body: Uint8Array, auth = true) =>
    fetch(`${server.url}/rpc?${query}`, { method: 'POST', headers: { 'content-type': 'application/msgpack', ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body });

  it('calls a function with args and kwargs and answers {success, result}', async () => {
    const byArgs = await post(`client_id=once&workspace=${ws}`, msgpackEncode({ type: 'method', to: 'extras:calc', method: 'add', args: [2, 5] }));
    expect(byArgs.status).toBe(200);
    expect(await byArgs.json()).toEqual({ success: true, result: 7 });
    const byKwargs = await post(`client_id=once&workspace=${ws}`, msgpackEncode({ type: 'method', to: 'extras:calc', method: 'greet', kwargs: { name: 'bob' } }));
    expect(await byKwargs.json()).toEqual({ success: true, result: 'hi bob' });
  });

  it('rejects bad stateless calls with the reference messages', async () => {
    const notMethod = await post(`client_id=once&workspace=${ws}`, msgpackEncode({ type: 'ping' }));
    expect(notMethod.status).toBe(400);
    expect((await notMethod.json()).detail).toBe("Stateless calls require type='method'");
    const badTarget = await post(`client_id=once&workspace=${ws}`, msgpackEncode({ type: 'method', to: 'calc', method: 'add' }));
    expect((await badTarget.json()).detail).toBe("Invalid target format, expected 'client_id:service_id'");
    const noMethod = await post(`client_id=once&workspace=${ws}`, msgpackEncode({ type: 'method', to: 'extras:calc', method: 'nope' }));
    expect(noMethod.status).toBe(404);
    expect((await noMethod.json()).detail).toBe("Method 'nope' not found");
    const anonymous = await post(`client_id=once&workspace=${ws}`, msgpackEncode({ type: 'method', to: 'extras:calc', method: 'add', args: [1, 1] }), false);
    expect(anonymous.status).toBe(403);
    expect((await anonymous.json()).detail).toBe(`Permission denied for workspace ${ws}`);
  });
});
