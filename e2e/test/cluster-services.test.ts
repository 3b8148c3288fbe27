import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, randomSecret } from './cluster-helpers/hypha-clients.js';
import type { HyphaClient } from './cluster-helpers/hypha-clients.js';
import { waitFor, waitUntil } from './cluster-helpers/poll.js';
import { deletePrefixed, scanKeys } from './cluster-helpers/redis-cli.js';
import { ServerProcess } from './cluster-helpers/server-process.js';

// Three real server processes on the machine's Redis (own key prefix), npm hypha-rpc clients.

const REDIS_PORT = 6379;
const PREFIX = `hypha-cluster-e2e-${randomUUID().slice(0, 8)}:`;
const HEARTBEAT_SECONDS = 1;
const ROOT_TOKEN = randomSecret();
const WORKSPACE = `cluster-${randomUUID().slice(0, 8)}`;
const MB20 = 20 * 1024 * 1024;

const pool = new ClientPool();
let a: ServerProcess;
let b: ServerProcess;
let c: ServerProcess;
let token: string;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const invert = (bytes: Uint8Array) => bytes.map((x) => 255 - x);

async function serviceIds(client: HyphaClient): Promise<string[]> {
  const services: Array<{ id: string }> = await client.listServices({ workspace: WORKSPACE });
  return services.map((s) => s.id).sort();
}

/** Registry keys of one client, read from Redis directly. */
function clientKeys(clientId: string): Promise<string[]> {
  return scanKeys(REDIS_PORT, `${PREFIX}services:*|*:${WORKSPACE}/${clientId}:*@*`);
}

async function connect(server: ServerProcess, clientId: string): Promise<HyphaClient> {
  return pool.connect(server.url, { client_id: clientId, token, workspace: WORKSPACE });
}

beforeAll(async () => {
  const common = { redisUri: `redis://127.0.0.1:${REDIS_PORT}`, keyPrefix: PREFIX, rootToken: ROOT_TOKEN, jwtSecret: randomSecret(), heartbeatSeconds: HEARTBEAT_SECONDS, publicBaseUrl: `http://${WORKSPACE}.cluster.invalid` };
  [a, b, c] = await Promise.all([ServerProcess.start(common), ServerProcess.start(common), ServerProcess.start(common)]);
  const admin = await pool.connect(a.url, { client_id: 'cluster-admin', token: ROOT_TOKEN });
  await admin.createWorkspace({ id: WORKSPACE, name: WORKSPACE, description: 'cluster e2e', persistent: true });
  token = await admin.generateToken({ workspace: WORKSPACE, permission: 'read_write', expires_in: 600 });
  await pool.disconnect(admin);
}, 60_000);

afterEach((ctx) => {
  // On failure, show what the servers logged (they are quiet on success).
  if (ctx.task.result?.state === 'fail' || process.env.CLUSTER_E2E_LOGS === '1') {
    for (const s of [a, b, c].filter(Boolean)) console.error(`--- server ${s.serverId} ---\n${s.log.join('\n')}`);
  }
});

afterAll(async () => {
  await pool.disconnectAll();
  await Promise.all([a, b, c].filter(Boolean).map((s) => s.stop()));
  await deletePrefixed(REDIS_PORT, PREFIX);
}, 30_000);

describe('a cluster of three servers on one Redis', () => {
  it('lets a client on B list, get and call a service registered on A, with callbacks, generators and 20 MB both ways', async () => {
    const provider = await connect(a, 'provider-a');
    await provider.registerService({
      id: 'tools',
      name: 'Tools',
      config: { visibility: 'protected' },
      add: (x: number, y: number) => x + y,
      applyTwice: async (x: number, fn: (v: number) => Promise<number>) => fn(await fn(x)),
      countTo: async function* (n: number) {
        for (let i = 1; i <= n; i++) yield i;
      },
      invert: (bytes: Uint8Array) => invert(bytes),
    });
    const consumer = await connect(b, 'consumer-b');
    const id = `${WORKSPACE}/provider-a:tools`;
    expect(await serviceIds(consumer)).toContain(id);
    const info = await consumer.getServiceInfo(id);
    expect(info.config.workspace).toBe(WORKSPACE);

    const tools = await consumer.getService(id);
    expect(await tools.add(2, 40)).toBe(42);
    expect(await tools.applyTwice(3, async (v: number) => v * 10)).toBe(300);
    const counted: number[] = [];
    for await (const n of await tools.countTo(5)) counted.push(n);
    expect(counted).toEqual([1, 2, 3, 4, 5]);

    const big = new Uint8Array(randomBytes(MB20));
    const back: Uint8Array = await tools.invert(big);
    expect(back.byteLength).toBe(MB20);
    expect(sha256(back)).toBe(sha256(invert(big)));

    // The third instance sees the same registry.
    const observer = await connect(c, 'observer-c');
    expect(await serviceIds(observer)).toContain(id);
    expect(await (await observer.getService(id)).add(1, 1)).toBe(2);
  }, 60_000);

  it("removes a closed client's services for every instance", async () => {
    const leaving = await connect(a, 'leaving-a');
    await leaving.registerService({ id: 'short-lived', config: { visibility: 'protected' }, ping: () => 'pong' });
    const onB = await connect(b, 'watcher-b');
    const onC = await connect(c, 'watcher-c');
    const id = `${WORKSPACE}/leaving-a:short-lived`;
    expect(await serviceIds(onB)).toContain(id);
    expect(await clientKeys('leaving-a')).not.toEqual([]);

    await pool.disconnect(leaving);
    await waitUntil('the service to vanish on B', async () => !(await serviceIds(onB)).includes(id));
    expect(await serviceIds(onC)).not.toContain(id);
    expect(await clientKeys('leaving-a')).toEqual([]);
    await expect(onB.getService(id)).rejects.toThrow(/not found/i);
  }, 30_000);

  it("removes the services of a SIGKILLed instance's clients within a bounded time", async () => {
    const doomed = await connect(a, 'doomed-a');
    await doomed.registerService({ id: 'doomed', config: { visibility: 'protected' }, ping: () => 'pong' });
    const onB = await connect(b, 'survivor-b');
    const onC = await connect(c, 'survivor-c');
    await onC.registerService({ id: 'stays', config: { visibility: 'protected' }, ping: () => 'pong' });
    const id = `${WORKSPACE}/doomed-a:doomed`;
    expect(await serviceIds(onB)).toContain(id);
    expect(await scanKeys(REDIS_PORT, `${PREFIX}hypha:server:${a.serverId}`)).toHaveLength(1);

    const killedAt = Date.now();
    await a.stop('SIGKILL');
    await waitUntil('the killed instance\'s services to vanish on B', async () => !(await serviceIds(onB)).includes(id), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const elapsedMs = Date.now() - killedAt;
    console.info(JSON.stringify({ measured: 'sigkill-to-services-gone', ms: elapsedMs, heartbeat_s: HEARTBEAT_SECONDS }));

    expect(await clientKeys('doomed-a')).toEqual([]);
    expect(await clientKeys('provider-a')).toEqual([]);
    await expect(onB.getService(id)).rejects.toThrow(/not found/i);
    expect(await scanKeys(REDIS_PORT, `${PREFIX}clients:${WORKSPACE}/*-a`)).toEqual([]);
    expect(await scanKeys(REDIS_PORT, `${PREFIX}services:*|*:*/manager-${a.serverId}:*@*`)).toEqual([]);
    expect(await scanKeys(REDIS_PORT, `${PREFIX}hypha:server:${a.serverId}`)).toEqual([]);
    // Clients on the live instances keep their services.
    expect(await clientKeys('survivor-b')).not.toEqual([]);
    expect(await serviceIds(onB)).toContain(`${WORKSPACE}/survivor-c:stays`);
    expect(await (await onB.getService(`${WORKSPACE}/survivor-c:stays`)).ping()).toBe('pong');
    // A live server holds the leader lease.
    const leader = await waitFor('a live leader', async () => {
      const [key] = await scanKeys(REDIS_PORT, `${PREFIX}hypha:leader`);
      return key ? key : undefined;
    });
    expect(leader).toBe(`${PREFIX}hypha:leader`);
  }, 40_000);
});
