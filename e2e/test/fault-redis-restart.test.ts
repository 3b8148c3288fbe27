import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { PrivateRedis } from './cluster-helpers/private-redis.js';
import { waitFor } from './cluster-helpers/poll.js';

// Issue #10 item 12: one server on Redis; its redis-server (private, no persistence, so every key
// is lost) is SIGKILLed and started again. The server keeps serving the clients it holds while
// Redis is gone, and afterwards the same clients, without reconnecting, find services again.

const REDIS_PORT = 9851;
let redis: PrivateRedis;
let t: TestServer;
const pool = new ClientPool(() => t.url);

beforeAll(async () => {
  redis = await PrivateRedis.start(REDIS_PORT);
  t = await startTestServer({ redisUri: redis.url, cluster: { heartbeatIntervalMs: 500 } });
}, 30_000);
afterEach(() => pool.closeAll());
afterAll(async () => {
  await t?.close();
  await redis?.dispose();
}, 30_000);

describe.each(CLIENT_KINDS)('%s clients on a server whose Redis restarts', (kind) => {
  it('keep calling each other during the outage and find services again after it, without reconnecting', async () => {
    const provider: Server = await pool.connect(kind);
    const ws = provider.config.workspace as string;
    await provider.registerService({ id: 'calc', config: { visibility: 'public' }, double: (x: number) => 2 * x });
    const caller: Server = await pool.connect(kind);
    const calc = await caller.getService(`${ws}/calc`);
    expect(await calc.double(1)).toBe(2);
    const connected = t.server.websocket.connectedCount;
    const ids = [provider, caller].map((c) => `${c.config.workspace as string}/${c.config.client_id as string}`);

    await redis.kill();
    // Both peers are on this instance: calls between them need no Redis.
    expect(await calc.double(2)).toBe(4);
    const live = await fetch(`${t.url}/health/liveness`);
    expect(live.status).toBe(200);
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toMatch(/event bus/);

    await redis.start();
    // The registry is rebuilt from what the server holds; the same connections find it again.
    const again = await waitFor('the service to be found through the restarted Redis', async () => {
      try {
        return await caller.getService(`${ws}/calc`);
      } catch {
        return undefined;
      }
    }, { timeoutMs: 20_000, intervalMs: 250 });
    expect(await again.double(21)).toBe(42);
    await waitFor('/health to be healthy again', async () => ((await fetch(`${t.url}/health`)).status === 200 ? true : undefined));
    // Nobody was dropped or reconnected: the same sockets are open.
    expect(t.server.websocket.connectedCount).toBe(connected);
    for (const id of ids) expect(t.server.websocket.bufferedAmount(id)).not.toBeNull();
    // A newcomer is served too.
    const late: Server = await pool.connect(kind);
    expect(await (await late.getService(`${ws}/calc`)).double(5)).toBe(10);
  }, 60_000);
});
