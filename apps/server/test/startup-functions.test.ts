import './setup-websocket.js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const conformance = fileURLToPath(new URL('../../../e2e/fixtures/conformance-startup.mjs', import.meta.url));
const customAuth = fixture('custom-auth-startup.mjs');

describe('--startup-functions', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      quiet: true,
      startupFunctions: [`${conformance}:registerTestService`, `${conformance}:registerExampleStartupService`],
    });
  });
  afterAll(() => server.close());

  it('runs each function with a client of the public workspace; their services are public', async () => {
    const client = await connectSilently({ server_url: server.url });
    const svc = await client.getService('public/test-service');
    expect(svc.id.endsWith(':test-service')).toBe(true);
    expect(await svc.test(1)).toBe(100);
    const example = await client.getService('public/example-startup-service');
    expect(await example.test(3)).toBe(25);
    await client.disconnect();
  });

  it('stops the boot when a module, an export or the function itself fails', async () => {
    const start = (spec: string) => startServer({ port: 0, quiet: true, startupFunctions: [spec] });
    await expect(start(`${fixture('nope.mjs')}:x`)).rejects.toThrow(/Startup module not found: .*nope\.mjs/);
    await expect(start(`${customAuth}:missing`)).rejects.toThrow(/Startup function missing not found in .*custom-auth-startup\.mjs \(exported functions: hyphaStartup, failingStartup\)/);
    await expect(start(`${customAuth}:notAFunction`)).rejects.toThrow(/Startup function notAFunction not found/);
    await expect(start(`${customAuth}:failingStartup`)).rejects.toThrow(/Startup function .*:failingStartup failed: boom from the startup function/);
    await expect(start('no-such-package-xyz:fn')).rejects.toThrow(/Cannot load startup module no-such-package-xyz/);
  });
});

describe('a custom auth provider (register_auth_service)', () => {
  let server: RunningServer;
  const custom = (user: string, ws: string) => `CUSTOM:${user}:${ws}:${Math.floor(Date.now() / 1000) + 600}`;
  beforeAll(async () => {
    server = await startServer({ port: 0, quiet: true, startupFunctions: [`${customAuth}:hyphaStartup`] });
  });
  afterAll(() => server.close());

  it('parses its tokens on connect and mints its own child tokens', async () => {
    const client = await connectSilently({ server_url: server.url, token: custom('alice', 'ws-user-alice') });
    expect(client.config.workspace).toBe('ws-user-alice');
    const svc = await client.getService('public/custom-auth-test');
    expect(await svc.whoami()).toBe('alice');
    const child = await client.generateToken({ expires_in: 60 });
    expect(child).toMatch(/^CUSTOM:[^:]+:ws-user-alice:\d+$/);
    const again = await connectSilently({ server_url: server.url, token: child, workspace: 'ws-user-alice' });
    expect(again.config.workspace).toBe('ws-user-alice');
    await again.disconnect();
    await client.disconnect();
  });

  it('refuses tokens its parser rejects', async () => {
    await expect(connectSilently({ server_url: server.url, token: 'CUSTOM:bob:x:1' })).rejects.toThrow(/Token has expired/);
  });

  it('takes HTTP tokens from get_token (header or cookie) and hands the user to extra handlers', async () => {
    const whoami = `${server.url}/public/apps/hypha-login/whoami`;
    const anon = await (await fetch(whoami)).json();
    expect(anon).toMatchObject({ present: true, is_anonymous: true });
    const byHeader = await (await fetch(whoami, { headers: { 'X-Hypha-Token': custom('carol', 'carol-ws') } })).json();
    expect(byHeader).toEqual({ present: true, id: 'carol', is_anonymous: false });
    const byCookie = await (await fetch(whoami, { headers: { Cookie: `a=b; hypha_token=${custom('dave', 'dave-ws')}` } })).json();
    expect(byCookie.id).toBe('dave');
    const bad = await fetch(whoami, { headers: { 'X-Hypha-Token': 'CUSTOM:eve:w:1' } });
    expect(bad.status).toBe(401);
  });

  it('serves its login page and runs its own login sessions through hypha-login', async () => {
    const page = await fetch(`${server.url}/public/apps/hypha-login/`);
    expect(await page.text()).toContain('Custom Authentication Login');
    const client = await connectSilently({ server_url: server.url });
    const login = await client.getService('public/hypha-login');
    const { key } = await login.start();
    expect(await login.check(key)).toBe(null);
    expect(await login.report(key, 'the-token')).toEqual({ success: true });
    expect(await login.check(key)).toBe('the-token');
    await client.disconnect();
  });
});
