import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitFor } from './cluster-helpers/poll.js';

// Issue #10 item 12: a reconnect storm. 300 npm hypha-rpc clients lose their sockets at the same
// moment (dropped without a close handshake, as a network failure would) and all reconnect at
// once; every one is served again, with its services, and the server stays healthy.

const CLIENTS = 300;
let t: TestServer;
const pool = new ClientPool(() => t.url);

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await pool.closeAll();
  await t?.close();
}, 60_000);

const fullId = (c: Server) => `${c.config.workspace as string}/${c.config.client_id as string}`;

describe('a reconnect storm', () => {
  it(`serves ${CLIENTS} clients again after all of them lost their sockets at once`, async () => {
    const provider = await pool.connect('hypha-rpc');
    const ws = provider.config.workspace as string;
    await provider.registerService({ id: 'counter', config: { visibility: 'public' }, twice: (n: number) => 2 * n });
    const clients: Server[] = [];
    for (let i = 0; i < CLIENTS; i += 50) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, () => pool.connect('hypha-rpc')))));
    }
    // Each client also provides a service, which must be back after the storm.
    await Promise.all(clients.map((c, i) => c.registerService({ id: 'own', config: { visibility: 'public' }, who: () => i })));
    expect(t.server.websocket.connectedCount).toBe(CLIENTS + 1);

    const everyone = [provider, ...clients];
    for (const c of everyone) expect(t.server.websocket.terminate(fullId(c))).toBe(true);

    await waitFor('every client to be connected again', () => (t.server.websocket.connectedCount === CLIENTS + 1 ? true : undefined), {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    // Same identities, their services re-registered, calls both ways.
    const results = await waitFor('every client to call the provider', async () => {
      try {
        return await Promise.all(clients.map(async (c, i) => (await c.getService(`${ws}/counter`)).twice(i)));
      } catch {
        return undefined;
      }
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(results).toEqual(clients.map((_, i) => 2 * i));
    const own = await Promise.all(clients.slice(0, 20).map(async (c) => (await provider.getService(`${c.config.workspace as string}/own`)).who()));
    expect(own).toEqual(clients.slice(0, 20).map((_, i) => i));
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  }, 240_000);
});
