import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, randomSecret } from './cluster-helpers/hypha-clients.js';
import type { HyphaClient } from './cluster-helpers/hypha-clients.js';
import { waitFor, waitUntil } from './cluster-helpers/poll.js';
import { PrivateRedis } from './cluster-helpers/private-redis.js';
import { redisCli, scanKeys } from './cluster-helpers/redis-cli.js';
import { ServerProcess } from './cluster-helpers/server-process.js';

// Two real server processes on a private redis-server that is killed (SIGKILL, no persistence:
// every key is lost) and started again on the same port; then liveness corner cases on it.

const PREFIX = `hypha-cluster-restart-${randomUUID().slice(0, 8)}:`;
const ROOT_TOKEN = randomSecret();
const WORKSPACE = `cluster-${randomUUID().slice(0, 8)}`;

const pool = new ClientPool();
let redis: PrivateRedis;
let a: ServerProcess;
let b: ServerProcess;
let token: string;
let common: Parameters<typeof ServerProcess.start>[0];

async function serviceIds(client: HyphaClient): Promise<string[]> {
  const services: Array<{ id: string }> = await client.listServices({ workspace: WORKSPACE });
  return services.map((s) => s.id).sort();
}

beforeAll(async () => {
  redis = await PrivateRedis.start();
  common = {
    redisUri: redis.url,
    keyPrefix: PREFIX,
    rootToken: ROOT_TOKEN,
    jwtSecret: randomSecret(),
    heartbeatSeconds: 1,
    publicBaseUrl: `http://${WORKSPACE}.cluster.invalid`,
  };
  [a, b] = await Promise.all([ServerProcess.start(common), ServerProcess.start(common)]);
  const admin = await pool.connect(a.url, { client_id: 'restart-admin', token: ROOT_TOKEN });
  await admin.createWorkspace({ id: WORKSPACE, name: WORKSPACE, description: 'cluster restart e2e', persistent: true });
  token = await admin.generateToken({ workspace: WORKSPACE, permission: 'read_write', expires_in: 600 });
  await pool.disconnect(admin);
}, 60_000);

afterEach((ctx) => {
  // On failure, show what the servers logged (they are quiet on success).
  if (ctx.task.result?.state === 'fail' || process.env.CLUSTER_E2E_LOGS === '1') {
    for (const s of [a, b].filter(Boolean)) console.error(`--- server ${s.serverId} ---\n${s.log.join('\n')}`);
  }
});

afterAll(async () => {
  await pool.disconnectAll();
  await Promise.all([a, b].filter(Boolean).map((s) => s.stop()));
  await redis?.dispose();
}, 30_000);

describe('a Redis restart', () => {
  it('loses no service of a live client: the instances re-announce what they hold', async () => {
    const provider = await pool.connect(a.url, { client_id: 'provider-a', token, workspace: WORKSPACE });
    await provider.registerService({ id: 'survivor', config: { visibility: 'protected' }, double: (x: number) => 2 * x });
    const consumer = await pool.connect(b.url, { client_id: 'consumer-b', token, workspace: WORKSPACE });
    await consumer.registerService({ id: 'reverse', config: { visibility: 'protected' }, reverse: (s: string) => [...s].reverse().join('') });
    const onA = `${WORKSPACE}/provider-a:survivor`;
    const onB = `${WORKSPACE}/consumer-b:reverse`;
    expect(await serviceIds(consumer)).toEqual(expect.arrayContaining([onA, onB]));
    const before = await scanKeys(redis.port, `${PREFIX}services:*`);
    // A key nobody re-announces proves the restarted Redis lost everything.
    const marker = `${PREFIX}restart-marker`;
    await redisCli(redis.port, 'SET', marker, '1');

    await redis.kill();
    await redis.start();
    const restartedAt = Date.now();
    expect(await scanKeys(redis.port, marker)).toEqual([]);

    // Both instances re-announce after their bus reconnected.
    await waitUntil('every service key to be re-announced', async () => {
      const now = await scanKeys(redis.port, `${PREFIX}services:*`);
      return before.every((k) => now.includes(k));
    }, { timeoutMs: 20_000 });
    console.info(JSON.stringify({ measured: 'redis-restart-to-services-back', ms: Date.now() - restartedAt }));

    // The workspace record came back too, and the liveness records.
    expect(await scanKeys(redis.port, `${PREFIX}hypha:server:*`)).toEqual(
      [`${PREFIX}hypha:server:${a.serverId}`, `${PREFIX}hypha:server:${b.serverId}`].sort(),
    );
    expect(await serviceIds(consumer)).toEqual(expect.arrayContaining([onA, onB]));
    const survivor = await waitFor('a call across instances through the new Redis', async () => {
      const svc = await consumer.getService(onA);
      return (await svc.double(21)) === 42 ? svc : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    expect(await survivor.double(4)).toBe(8);
    expect(await (await provider.getService(onB)).reverse('abc')).toBe('cba');

    // A client connecting after the restart finds the workspace and both services.
    const late = await pool.connect(b.url, { client_id: 'late-b', token, workspace: WORKSPACE });
    expect(await serviceIds(late)).toEqual(expect.arrayContaining([onA, onB]));

    // The re-announced registrations still belong to live clients: closing one removes it.
    await pool.disconnect(provider);
    await waitUntil('the closed client to vanish', async () => !(await serviceIds(late)).includes(onA));
  }, 60_000);

  it('reaps the clients of an instance that stalled past its TTL, which re-announces them when it resumes', async () => {
    const stalled = await pool.connect(a.url, { client_id: 'stalled-a', token, workspace: WORKSPACE });
    await stalled.registerService({ id: 'patient', config: { visibility: 'protected' }, ping: () => 'pong' });
    const watcher = await pool.connect(b.url, { client_id: 'watcher-b', token, workspace: WORKSPACE });
    const id = `${WORKSPACE}/stalled-a:patient`;
    expect(await serviceIds(watcher)).toContain(id);

    a.signal('SIGSTOP');
    try {
      await waitUntil('B to reap the stalled instance\'s client', async () => !(await serviceIds(watcher)).includes(id), { timeoutMs: 15_000 });
    } finally {
      a.signal('SIGCONT');
    }
    const svc = await waitFor('the resumed instance to re-announce its client', async () => {
      if (!(await serviceIds(watcher)).includes(id)) return undefined;
      return watcher.getService(id);
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(await svc.ping()).toBe('pong');
  }, 40_000);

  it('refuses to start a second live server with the same server id', async () => {
    await expect(ServerProcess.start({ ...common, serverId: b.serverId })).rejects.toThrow(/already uses the server id/);
    // The running server with that id is untouched.
    expect(await scanKeys(redis.port, `${PREFIX}hypha:server:${b.serverId}`)).toHaveLength(1);
    const probe = await pool.connect(b.url, { client_id: 'probe-b', token, workspace: WORKSPACE });
    expect(await probe.echo('still here')).toBe('still here');
  }, 30_000);
});
