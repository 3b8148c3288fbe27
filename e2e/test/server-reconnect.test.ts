import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// The server drops a client's socket (no close handshake); the client reconnects with its
// reconnection token, re-registers its services and they are callable again.

let t: TestServer;
const pool = new ClientPool(() => t.url);

beforeAll(async () => {
  t = await startTestServer();
});
afterEach(() => pool.closeAll());
afterAll(() => t.close());

/** Retry `fn` until it resolves (the client reconnects in the background); rethrows the last error. */
async function eventually<T>(fn: () => Promise<T>, attempts = 100, pauseMs = 100): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
  throw last;
}

describe.each(CLIENT_KINDS)('%s client', (kind) => {
  it('reconnects after the server terminates its socket and serves its services again', async () => {
    const provider: Server = await pool.connect(kind, { client_id: `provider-${kind === 'hypha-rpc' ? 'npm' : 'ts'}` });
    const ws = provider.config.workspace;
    let calls = 0;
    await provider.registerService({ id: 'svc', config: { visibility: 'public' }, ping: () => ++calls });
    const caller = await pool.connect('hypha-rpc');
    expect(await (await caller.getService(`${ws}/svc`)).ping()).toBe(1);

    const fullId = `${ws}/${provider.config.client_id}`;
    expect(t.server.websocket.terminate(fullId)).toBe(true);

    // until the re-registered service answers (a lookup right after the drop can still see the old one)
    expect(await eventually(async () => (await caller.getService(`${ws}/svc`)).ping())).toBe(2);
    // same workspace and client id after the reconnection, and the provider can still call out
    expect(await provider.echo('still here')).toBe('still here');
  });
});

it.each(CLIENT_KINDS)('%s reconnects again after a second drop shortly after the first', async (kind) => {
  const clientId = `twice-dropped-${kind === 'hypha-rpc' ? 'npm' : 'ts'}`;
  const provider: Server = await pool.connect(kind, { client_id: clientId });
  const ws = provider.config.workspace;
  await provider.registerService({ id: 'svc', config: { visibility: 'public' }, ping: () => 'pong' });
  const caller = await pool.connect('hypha-rpc');
  for (let drop = 0; drop < 2; drop++) {
    expect(t.server.websocket.terminate(`${ws}/${clientId}`)).toBe(true);
    expect(await eventually(async () => (await caller.getService(`${ws}/svc`)).ping())).toBe('pong');
  }
  expect(await provider.echo('after two drops')).toBe('after two drops');
});
