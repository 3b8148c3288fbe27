import { Type } from '@sinclair/typebox';
import { connectToServer, defineService, getRemoteService, login, normalizeServerUrl, type LoginContext, WebsocketRPCConnection, schemaFunction, typedFunction, type HyphaServer } from '@hypha/rpc';
import { startServer, type RunningServer } from '@hypha/server';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, type Options } from 'tsup';
import { WebSocket } from 'ws';
import rpcBuildConfigs from '../../packages/rpc/tsup.config.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { serverPerFile } from './helpers/server-per-file.js';

// @hypha/rpc's client against our real server, with the npm hypha-rpc client as a second peer.

const ctx = serverPerFile();

async function connect(config: Record<string, unknown> = {}): Promise<HyphaServer> {
  const server = await connectToServer({ server_url: ctx.server.url, logger: null, ...config });
  ctx.opened.push(server);
  return server;
}

const calculator = defineService({
  id: 'calculator',
  name: 'Calculator',
  config: { visibility: 'public' },
  add: typedFunction(
    { name: 'add', description: 'Add two numbers', parameters: [['a', Type.Number()], ['b', Type.Number()]], returns: Type.Number() },
    (a, b) => a + b,
  ),
  mul: schemaFunction((a: number, b: number) => a * b, {
    name: 'mul',
    description: 'Multiply',
    parameters: Type.Object({ a: Type.Number(), b: Type.Number() }),
  }),
  applyTwice: async (x: number, fn: (v: number) => Promise<number>) => fn(await fn(x)),
});

describe('connectToServer', () => {
  it('returns the manager with camelCase and snake_case names and the connection info in config', async () => {
    const server = await connect({ client_id: 'e2e-names' });
    for (const [camel, snake] of [
      ['registerService', 'register_service'],
      ['unregisterService', 'unregister_service'],
      ['getService', 'get_service'],
      ['listServices', 'list_services'],
      ['generateToken', 'generate_token'],
      ['getServiceInfo', 'get_service_info'],
      ['listApps', 'list_apps'],
      ['getApp', 'get_app'],
      ['registerCodec', 'register_codec'],
    ]) {
      expect(typeof server[camel!], camel).toBe('function');
      expect(typeof server[snake!], snake).toBe('function');
    }
    for (const name of ['echo', 'disconnect', 'export', 'on', 'off', 'once', 'emit']) expect(typeof server[name], name).toBe('function');
    expect(server.config.client_id).toBe('e2e-names');
    expect(server.config.workspace).toMatch(/^ws-user-anonymouz-/);
    expect(server.config.manager_id).toMatch(/^manager-/);
    expect(server.config.public_base_url).toBe(ctx.server.url.replace(/\/$/, ''));
    expect(await server.echo({ a: [1, 2, 3] })).toEqual({ a: [1, 2, 3] });
    expect((server.registerService as any).__schema__.name).toBe('registerService');
    expect((server.register_service as any).__schema__.name).toBe('register_service');
  });

  it('accepts camelCase config keys', async () => {
    const server = await connect({ serverUrl: ctx.server.url, clientId: 'e2e-camel', methodTimeout: 10 });
    expect(server.config.client_id).toBe('e2e-camel');
  });

  it('fails with the server reason when the token is invalid', async () => {
    await expect(connectToServer({ server_url: ctx.server.url, token: 'not-a-jwt', logger: null })).rejects.toThrow(
      /ConnectionAbortedError: .+/,
    );
  });
});

describe('services through the server', () => {
  it('registers a TypeBox-declared service that another client calls with types and callbacks', async () => {
    const provider = await connect({ client_id: 'e2e-provider' });
    await provider.registerService(calculator);
    const caller = await connect({ client_id: 'e2e-caller', workspace: provider.config.workspace, token: await provider.generateToken() });
    const calc = await caller.getService<typeof calculator>(`${provider.config.workspace}/e2e-provider:calculator`);
    expectTypeOf(calc.add).toEqualTypeOf<(a: number, b: number) => Promise<number>>();
    expect(await calc.add(2, 3)).toBe(5);
    expect(await calc.mul(4, 5)).toBe(20);
    expect(await calc.applyTwice(3, async (v) => v * 10)).toBe(300);
    expect((calc.add as unknown as { __schema__: unknown }).__schema__).toEqual({
      name: 'add',
      description: 'Add two numbers',
      parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    });
    const listed = await caller.listServices({ workspace: provider.config.workspace });
    expect(listed.map((s) => s.id)).toContain(`${provider.config.workspace}/e2e-provider:calculator`);
  });

  it('interoperates with the npm hypha-rpc client in both directions', async () => {
    const ours = await connect({ client_id: 'e2e-ours' });
    await ours.registerService(calculator);
    const token = await ours.generateToken();
    const theirs = await hyphaWebsocketClient.connectToServer({
      server_url: ctx.server.url,
      client_id: 'e2e-theirs',
      workspace: ours.config.workspace,
      token,
      WebSocketClass: WebSocket,
      logger: null,
    } as any);
    ctx.opened.push(theirs);
    const calc = await theirs.getService(`e2e-ours:calculator`);
    expect(await calc.add(20, 22)).toBe(42);
    await theirs.registerService({ id: 'greeter', config: { visibility: 'public' }, greet: (name: string) => `hello ${name}` });
    const greeter = await ours.getService('e2e-theirs:greeter');
    expect(await greeter.greet('ts')).toBe('hello ts');
  });
});

describe('WebsocketRPCConnection', () => {
  it("carries hypha-rpc's own RPC class (duck-compatible connection)", async () => {
    const conn = new WebsocketRPCConnection({ server_url: normalizeServerUrl(ctx.server.url), client_id: 'e2e-ref-rpc', logger: null });
    const info = await conn.open();
    const rpc = new (hyphaWebsocketClient as any).RPC(conn, {
      client_id: 'e2e-ref-rpc',
      workspace: info.workspace,
      server_base_url: info.public_base_url,
      logger: null,
    });
    ctx.opened.push(rpc);
    await rpc.waitFor('services_registered', 10);
    const manager = await rpc.get_manager_service({ case_conversion: 'camel' });
    expect(await manager.echo('through our transport')).toBe('through our transport');
  });
});

describe('getRemoteService', () => {
  it('connects from a service URL and returns the typed service', async () => {
    const provider = await connect({ client_id: 'e2e-url-provider' });
    await provider.registerService(calculator);
    const url = `${ctx.server.url}/${provider.config.workspace}/services/e2e-url-provider:calculator`;
    const calc = await getRemoteService<typeof calculator>(url, { logger: null });
    ctx.opened.push((calc as unknown as { __server__: HyphaServer }).__server__);
    expect(await calc.add(1, 1)).toBe(2);
    await expect(getRemoteService(url, { server_url: 'http://elsewhere:1' })).rejects.toThrow(
      'server_url in config (http://elsewhere:1) does not match',
    );
  });
});

describe('connection lifecycle', () => {
  it('reconnects after a network drop and re-registers its services', async () => {
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const provider = await connect({
      client_id: 'e2e-flaky',
      WebSocketClass: TrackedWebSocket,
      reconnect: { base_delay_ms: 20, min_stable_ms: 0, settle_ms: 0 },
    });
    await provider.registerService({ id: 'counter', config: { visibility: 'public' }, value: () => 7 });
    const connected = new Promise<void>((resolve) => provider.rpc.once('connected', () => resolve()));
    sockets[0]!.terminate(); // abrupt: no close frame, like a dropped network
    await connected;
    expect(sockets.length).toBe(2);
    const caller = await connect({ client_id: 'e2e-after-drop' });
    const counter = await caller.getService(`${provider.config.workspace}/e2e-flaky:counter`);
    expect(await counter.value()).toBe(7);
  });

  it('follows a server restart: new manager id, methods retargeted, services re-registered', async () => {
    const jwtSecret = 'e2e-restart-secret-0123456789abcdef';
    let first: RunningServer | null = await startServer({ port: 0, quiet: true, jwtSecret });
    const port = first.port;
    let second: RunningServer | null = null;
    try {
      const client = await connect({
        server_url: first.url,
        client_id: 'e2e-restart',
        reconnect: { base_delay_ms: 20, max_delay_ms: 200, min_stable_ms: 0, settle_ms: 0 },
      });
      await client.registerService({ id: 'survivor', config: { visibility: 'public' }, ok: () => 'still here' });
      const oldManager = client.config.manager_id;
      const reconnected = new Promise<void>((resolve) => client.rpc.once('connected', () => resolve()));
      await first.close();
      first = null;
      second = await startServer({ port, quiet: true, jwtSecret });
      await reconnected;
      expect(client.config.manager_id).not.toBe(oldManager);
      expect(client.config.manager_id).toBe(`manager-${second.serverId}`);
      expect((client.echo as any).__rpc_object__._rtarget).toBe(`*/manager-${second.serverId}`);
      expect((client.list_services as any).__rpc_object__._rtarget).toBe(`*/manager-${second.serverId}`);
      expect(await client.echo('after restart')).toBe('after restart');
      const caller = await connectToServer({ server_url: second.url, client_id: 'e2e-restart-caller', logger: null });
      ctx.opened.push(caller);
      const survivor = await caller.getService(`${client.config.workspace}/e2e-restart:survivor`);
      expect(await survivor.ok()).toBe('still here');
    } finally {
      for (const client of ctx.opened.splice(0)) await client.disconnect();
      await first?.close();
      await second?.close();
    }
  });

  it('disconnect() closes cleanly and removes the services', async () => {
    const provider = await connectToServer({ server_url: ctx.server.url, client_id: 'e2e-leaving', logger: null });
    await provider.registerService({ id: 'temp', config: { visibility: 'public' }, f: () => 1 });
    const workspace = provider.config.workspace;
    const caller = await connect({ client_id: 'e2e-watcher' });
    expect(await (await caller.getService(`${workspace}/e2e-leaving:temp`)).f()).toBe(1);
    await provider.disconnect();
    await expect(provider.echo('x')).rejects.toThrow(/Connection is closed|RPC connection closed/);
    await expect(caller.getService(`${workspace}/e2e-leaving:temp`)).rejects.toThrow(/Service not found|not found/);
  });
});

describe('login', () => {
  // The server's own public/hypha-login service (server-api §2.7); the test plays the browser.
  it('logs in through the server: start, login_url to the callback, the page reports, check returns the token', async () => {
    const user = await connect({ client_id: 'e2e-login-user' });
    const userToken = await user.generateToken();
    const seen: LoginContext[] = [];
    const token = await login({
      server_url: ctx.server.url,
      login_callback: async (context) => {
        seen.push(context);
        // what the login page does when the user submits: POST {key, token} to report_url
        const res = await fetch(context.report_url!, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ key: context.key, token: userToken }),
        });
        expect(res.status, await res.clone().text()).toBe(200);
      },
      logger: null,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.login_url).toBe(`${ctx.server.url}/public/apps/hypha-login/?key=${seen[0]!.key}`);
    expect(token).toBe(userToken);
  });

  it('asks for a workspace token and returns the profile with profile: true', async () => {
    const user = await connect({ client_id: 'e2e-login-user2' });
    const workspace = user.config.workspace as string;
    // minting a workspace token at report() needs admin rights on that workspace
    const userToken = await user.generateToken({ permission: 'admin' });
    const reporter = await connect({ client_id: 'e2e-login-page' });
    const loginService = await reporter.getService('public/hypha-login');
    const info = await login({
      server_url: ctx.server.url,
      workspace,
      expires_in: 600,
      profile: true,
      login_timeout: 20,
      login_callback: async (context) => {
        expect(context.login_url).toContain(`&workspace=${encodeURIComponent(workspace)}`);
        await loginService.report(context.key, userToken, workspace, 600);
      },
      logger: null,
    });
    expect(info.workspace).toBe(workspace);
    expect(info.expires_in).toBe(600);
    expect(typeof info.user_id).toBe('string');
    expect(info.token).not.toBe(userToken);
    // the minted token opens the workspace
    const again = await connect({ client_id: 'e2e-login-result', workspace, token: info.token });
    expect(again.config.workspace).toBe(workspace);
  });

  it('logs in over the HTTP streaming transport too', async () => {
    const user = await connect({ client_id: 'e2e-login-user3' });
    const userToken = await user.generateToken();
    const reporter = await connect({ client_id: 'e2e-login-page3' });
    const loginService = await reporter.getService('public/hypha-login');
    const token = await login({
      server_url: ctx.server.url,
      transport: 'http',
      login_callback: (context) => loginService.report(context.key, userToken),
      logger: null,
    });
    expect(token).toBe(userToken);
  });

  it('fails with the service error when the login is not completed in time', async () => {
    await expect(
      login({ server_url: ctx.server.url, login_timeout: 1, login_callback: () => {}, logger: null }),
    ).rejects.toThrow(/Login timeout/);
  });
});

describe('browser bundle in Chromium', () => {
  it('connects from a page with the global hyphaWebsocketClient and serves a service to Node', async () => {
    // Build the IIFE bundle with the package's own tsup config, into a temporary directory.
    const rpcDir = join(dirname(fileURLToPath(import.meta.url)), '../../packages/rpc');
    const iife = (rpcBuildConfigs as Options[]).find((c) => c.globalName === 'hyphaWebsocketClient')!;
    const outDir = await mkdtemp(join(tmpdir(), 'hypha-rpc-e2e-bundle-'));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      await build({ ...iife, entry: { 'hypha-rpc-websocket': join(rpcDir, 'src/browser.ts') }, outDir, silent: true, config: false, sourcemap: false });
      const bundle = await readFile(join(outDir, 'hypha-rpc-websocket.min.js'), 'utf8');
      const page = await browser.newPage();
      await page.addScriptTag({ content: bundle });
      const workspace = await page.evaluate(async (serverUrl) => {
        const client = (globalThis as any).hyphaWebsocketClient;
        const server = await client.connectToServer({ server_url: serverUrl, client_id: 'e2e-page', logger: null });
        (globalThis as any).pageServer = server;
        await server.registerService({
          id: 'page-calc',
          config: { visibility: 'public' },
          double: (x: number) => x * 2,
          agent: () => navigator.userAgent,
        });
        return server.config.workspace as string;
      }, ctx.server.url);
      const node = await connect({ client_id: 'e2e-node-for-page' });
      const pageCalc = await node.getService(`${workspace}/e2e-page:page-calc`);
      expect(await pageCalc.double(21)).toBe(42);
      expect(await pageCalc.agent()).toMatch(/Chrome/);
      await page.evaluate(() => (globalThis as any).pageServer.disconnect());
    } finally {
      await browser.close();
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
