import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
});

afterAll(async () => {
  await server?.close();
});

describe('/metrics', () => {
  it('exposes Prometheus text with connection, call and event-bus metrics', async () => {
    const client: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url });
    await fetch(`${server.url}/public/services/ws/check_status`);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^websocket_connections 1$/m);
    expect(text).toMatch(/^http_streaming_connections 0$/m);
    expect(text).toMatch(/^event_bus_healthy 1$/m);
    const total = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    // the client's handshake calls (register built-in, subscribe, ...) went through the router
    expect(total('rpc_messages_in_total')).toBeGreaterThan(0);
    expect(total('rpc_messages_out_total')).toBeGreaterThan(0);
    expect(total('rpc_call_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^http_service_calls_total\{status="200"\} 1$/m);
    expect(text).toMatch(/^http_service_call_duration_seconds_count\{status="200"\} 1$/m);
    await client.disconnect();
  });
});

describe('landing JSON', () => {
  it('describes the server at / and a workspace at /{workspace}', async () => {
    const root = await (await fetch(`${server.url}/`)).json();
    expect(root.public_base_url).toBe(server.url);
    expect(root.websocket_url).toBe(`${server.url.replace('http', 'ws')}/ws`);
    const pub = await (await fetch(`${server.url}/public`)).json();
    expect(pub.workspace).toBe('public');
    expect(pub.services_url).toBe(`${server.url}/public/services/`);
    const missing = await fetch(`${server.url}/ws-user-does-not-exist`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).detail).toMatch(/does not exist/);
  });
});

describe('/assets', () => {
  it('serves the @hypha/rpc browser bundles as JavaScript', async () => {
    for (const name of ['hypha-rpc-websocket.js', 'hypha-rpc-websocket.min.js', 'hypha-rpc-websocket.mjs']) {
      const res = await fetch(`${server.url}/assets/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      const body = await res.text();
      expect(body).toContain('connectToServer');
    }
  });
});

describe('login', () => {
  it('completes the hypha-rpc login flow through the login page and report()', async () => {
    const owner: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url });
    const token = await owner.generateToken();
    let page = '';
    const result = await hyphaWebsocketClient.login({
      server_url: server.url,
      login_timeout: 20,
      login_callback: async ({ login_url, key }: any) => {
        const res = await fetch(login_url);
        expect(res.status).toBe(200);
        page = await res.text();
        const report = await fetch(`${server.url}/public/services/hypha-login/report`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key, token }),
        });
        expect(report.status).toBe(200);
      },
    });
    expect(page).toContain('hypha-login');
    expect(result).toBe(token);
    await owner.disconnect();
  });

  it('rejects a report with an invalid token and an unknown key', async () => {
    const start = await (await fetch(`${server.url}/public/services/hypha-login/start`)).json();
    const bad = await fetch(`${server.url}/public/services/hypha-login/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: start.key, token: 'garbage' }),
    });
    expect(bad.status).toBe(500);
    const check = await (await fetch(`${server.url}/public/services/hypha-login/check?key=${start.key}&timeout=0`)).json();
    expect(check).toBeNull();
    const unknown = await fetch(`${server.url}/public/services/hypha-login/check?key=nope&timeout=0`);
    expect((await unknown.json()).detail).toMatch(/Invalid login key/);
  });

  it('redirects /login to the login page', async () => {
    const res = await fetch(`${server.url}/login`, { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/public/apps/hypha-login/');
  });
});
