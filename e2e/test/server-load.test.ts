import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, ClientPool } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer;
const pool = new ClientPool(() => t.url);

beforeAll(async () => {
  t = await startTestServer();
});
afterEach(() => pool.closeAll());
afterAll(() => t.close());

const MB = 1024 * 1024;

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

describe.each(CLIENT_KINDS)('%s client', (kind) => {
  it('moves a 50 MB argument and a 50 MB result through the server', async () => {
    const provider = await pool.connect(kind);
    await provider.registerService({
      id: 'blob',
      config: { visibility: 'public' },
      // checks the bytes it got and answers with a different 50 MB payload
      roundTrip: (data: Uint8Array) => {
        const expected = pattern(50 * MB, 7);
        if (data.byteLength !== expected.byteLength) throw new Error(`got ${data.byteLength} bytes`);
        for (let i = 0; i < data.byteLength; i += 4093) if (data[i] !== expected[i]) throw new Error(`byte ${i} differs`);
        return pattern(50 * MB, 11);
      },
      ping: () => 'pong',
    });
    const caller = await pool.connect(kind);
    const svc = await caller.getService(`${provider.config.workspace}/blob`);
    const result: Uint8Array = await svc.roundTrip(pattern(50 * MB, 7));
    expect(result.byteLength).toBe(50 * MB);
    const expected = pattern(50 * MB, 11);
    expect(Buffer.compare(Buffer.from(result.buffer, result.byteOffset, result.byteLength), Buffer.from(expected))).toBe(0);
    // The caller acknowledges the last chunk of the result (`message_cache.process`) after it has
    // already resolved our await. Two more round trips on the same sockets (frames stay in order)
    // make sure the provider got that acknowledgement before afterEach disconnects both: hypha-rpc
    // otherwise rejects its own finished upload with "RPC connection closed" and leaves that
    // rejection unhandled.
    expect(await svc.ping()).toBe('pong');
    expect(await svc.ping()).toBe('pong');
  }, 120_000);
});

describe('many clients', () => {
  it('serves 200 concurrent hypha-rpc clients calling each other', async () => {
    const provider = await pool.connect('hypha-rpc');
    await provider.registerService({ id: 'counter', config: { visibility: 'public' }, twice: (n: number) => n * 2 });
    const clients = await Promise.all(Array.from({ length: 200 }, () => pool.connect('hypha-rpc')));
    expect(new Set(clients.map((c) => c.config.workspace)).size).toBe(200);
    const results = await Promise.all(
      clients.map(async (c, i) => (await c.getService(`${provider.config.workspace}/counter`)).twice(i)),
    );
    expect(results).toEqual(clients.map((_, i) => i * 2));
    expect(t.server.websocket.connectedCount).toBe(201);
  }, 120_000);
});
