import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { HttpCallerPool } from '../src/http/http-caller-pool.js';

let server: RunningServer;
let provider: any;
let other: any;
let ws: string;
let providerToken: string;
let otherToken: string;

const whoami = (context?: { user: { id: string }; ws: string; from: string }) => ({ user: context?.user.id, ws: context?.ws, from: context?.from });

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, httpCallTimeout: 5 });
  provider = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'pool-provider' });
  other = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'pool-other' });
  ws = provider.config.workspace;
  providerToken = await provider.generateToken();
  otherToken = await other.generateToken();
  await provider.registerService({ id: 'who', config: { visibility: 'public', require_context: true }, whoami });
});

afterAll(async () => {
  await other?.disconnect();
  await provider?.disconnect();
  await server?.close();
});

const get = async (path: string, token?: string) => {
  const res = await fetch(`${server.url}/${ws}/services/${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as any };
};

describe('pooled HTTP caller peers', () => {
  it("gives the callee each caller's own user and workspace, calls after calls", async () => {
    const asProvider = await get('who/whoami', providerToken);
    const asOther = await get('who/whoami', otherToken);
    const asAnonymous = await get('who/whoami');
    const asProviderAgain = await get('who/whoami', providerToken);
    const asOtherAgain = await get('who/whoami', otherToken);
    for (const r of [asProvider, asOther, asAnonymous, asProviderAgain, asOtherAgain]) expect(r.status).toBe(200);

    // A token is scoped to the workspace of the client that generated it.
    expect(asProvider.body.ws).toBe(ws);
    expect(asOther.body.ws).toBe(other.config.workspace);
    expect(asAnonymous.body.ws).toBe('ws-anonymous');
    const users = [asProvider.body.user, asOther.body.user, asAnonymous.body.user];
    for (const u of users) expect(typeof u).toBe('string');
    expect(new Set(users).size).toBe(3);
    expect(asProviderAgain.body).toEqual(asProvider.body);
    expect(asOtherAgain.body).toEqual(asOther.body);
    expect(asOther.body.from).not.toBe(asProvider.body.from);
  });

  it('drops a cached description when the service is registered again', async () => {
    await provider.registerService({ id: 'shifting', config: { visibility: 'public' }, kept: () => 'v1', gone: () => 'bye' }, { overwrite: true });
    expect(await get('shifting/kept', providerToken)).toEqual({ status: 200, body: 'v1' });
    expect(await get('shifting/gone', providerToken)).toEqual({ status: 200, body: 'bye' });

    await provider.registerService({ id: 'shifting', config: { visibility: 'public' }, kept: () => 'v2', added: () => 'new', label: 'second' }, { overwrite: true });
    expect(await get('shifting/kept', providerToken)).toEqual({ status: 200, body: 'v2' });
    expect(await get('shifting/added', providerToken)).toEqual({ status: 200, body: 'new' });
    expect(await get('shifting/label', providerToken)).toEqual({ status: 200, body: 'second' });
    const gone = await get('shifting/gone', providerToken);
    expect(gone.status).toBe(404);
    expect(JSON.stringify(gone.body)).toContain('gone not found');
  });

  it('answers 404 after the service is removed and reaches a new provider of the same id', async () => {
    const second = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'pool-second', token: providerToken, workspace: ws });
    try {
      await second.registerService({ id: 'moving', config: { visibility: 'public' }, where: () => 'first' });
      expect(await get('pool-second:moving/where', providerToken)).toEqual({ status: 200, body: 'first' });
      await second.unregisterService('moving');
      expect((await get('pool-second:moving/where', providerToken)).status).toBe(404);
      await second.registerService({ id: 'moving', config: { visibility: 'public' }, where: () => 'again', extra: () => 'x' });
      expect(await get('pool-second:moving/where', providerToken)).toEqual({ status: 200, body: 'again' });
      expect(await get('pool-second:moving/extra', providerToken)).toEqual({ status: 200, body: 'x' });
    } finally {
      await second.disconnect();
    }
    // The client's disconnect returns before the server has removed its services.
    for (let i = 0; i < 200 && (await get('pool-second:moving', providerToken)).status !== 404; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await get('pool-second:moving/where', providerToken)).status).toBe(404);
  });
});

const until = async (what: string, done: () => boolean) => {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error(`still waiting for ${what}`);
};

describe('HttpCallerPool', () => {
  it('reuses one attached peer per user and workspace, and closes it once idle', async () => {
    const pool = new HttpCallerPool(server.core, { methodTimeout: 5, idleMs: 20 });
    try {
      const user = provider.config.user;
      const a = await pool.acquire(user, ws);
      const b = await pool.acquire(user, ws);
      const c = await pool.acquire({ ...user, roles: ['admin'] }, ws);
      expect(b.peer).toBe(a.peer);
      expect(c.peer).not.toBe(a.peer);
      expect(server.core.router.getLocal(a.peer.id)?.isAttached).toBe(true);
      for (const lease of [a, b, c]) lease.release();
      await until('the idle peers to close', () => pool.size === 0 && server.core.router.getLocal(a.peer.id) === undefined && server.core.router.getLocal(c.peer.id) === undefined);
    } finally {
      await pool.close();
    }
  });

  it('closes idle peers of a workspace when a client of it disconnects', async () => {
    const pool = new HttpCallerPool(server.core, { methodTimeout: 5 });
    try {
      const lease = await pool.acquire(provider.config.user, ws);
      lease.release();
      expect(server.core.router.getLocal(lease.peer.id)?.isAttached).toBe(true);
      const visitor = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'pool-visitor', token: providerToken, workspace: ws });
      await visitor.disconnect();
      await until('the idle peer to close', () => pool.size === 0 && server.core.router.getLocal(lease.peer.id) === undefined);
    } finally {
      await pool.close();
    }
  });

  it('refuses leases once closed', async () => {
    const pool = new HttpCallerPool(server.core, { methodTimeout: 5 });
    const lease = await pool.acquire(provider.config.user, ws);
    lease.release();
    await pool.close();
    expect(server.core.router.getLocal(lease.peer.id)).toBeUndefined();
    await expect(pool.acquire(provider.config.user, ws)).rejects.toThrow('The HTTP caller pool is closed');
  });
});
