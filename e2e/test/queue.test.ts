import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, type HyphaClient } from './cluster-helpers/hypha-clients.js';
import { deletePrefixed } from './cluster-helpers/redis-cli.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';
import { kw } from './helpers/artifact-clients.js';

// `public/queue` through the npm hypha-rpc client: the reference's scenario (test_queue.py) on
// embedded defaults, then acknowledged delivery across two instances sharing Redis.

describe('public/queue on embedded defaults', () => {
  const pool = new ClientPool();
  let s: TestServer;
  let alice: HyphaClient;
  let token: string;

  beforeAll(async () => {
    s = await startTestServer();
    token = mintToken(s.authConfig, userWith(`alice-${randomUUID().slice(0, 8)}`, {}));
    alice = await pool.connect(s.url, { client_id: 'alice-1', token });
  });
  afterAll(async () => {
    await pool.disconnectAll();
    await s?.close();
  });

  it('pushes and pops in FIFO order, peeks in pop order, shared by two clients of one workspace', async () => {
    const q = await alice.getService('public/queue');
    const other = await pool.connect(s.url, { client_id: 'alice-2', token, workspace: alice.config.workspace });
    const q2 = await other.getService('public/queue');
    for (const n of [1, 2, 3]) await q.push('jobs', { n });
    expect(await q2.get_length('jobs')).toBe(3);
    expect(await q2.peek('jobs', 2)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await q2.pop('jobs')).toEqual({ n: 1 });
    expect(await q.pop(kw({ queue_name: 'jobs', timeout: 1 }))).toEqual({ n: 2 });
    expect(await q2.pop('jobs', 0)).toEqual({ n: 3 });
    const t0 = Date.now();
    expect(await q.pop('jobs', 0)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('keeps each workspace its own queues', async () => {
    const q = await alice.getService('public/queue');
    await q.push('mine', { secret: true });
    const bob = await pool.connect(s.url, { client_id: 'bob', token: mintToken(s.authConfig, userWith(`bob-${randomUUID().slice(0, 8)}`, {})) });
    const qb = await bob.getService('public/queue');
    expect(await qb.get_length('mine')).toBe(0);
    expect(await qb.pop('mine', 0)).toBeNull();
    expect(await q.get_length('mine')).toBe(1);
  });

  it('refuses a bad queue name, a non-object task and an out-of-range timeout, naming the problem', async () => {
    const q = await alice.getService('public/queue');
    await expect(q.push('../etc', { a: 1 })).rejects.toThrow("Invalid queue name: '../etc'");
    await expect(q.push('ok', 'text')).rejects.toThrow('task must be a dictionary');
    await expect(q.pop('ok', 301)).rejects.toThrow('timeout must be a number of seconds from 0 to 300');
    await expect(q.peek('ok', 0)).rejects.toThrow('n must be an integer from 1 to 100');
    await expect(q.ack('ok', 'nope')).rejects.toThrow('Invalid reservation id');
  });

  it('reserve, ack and nack: an unacknowledged task comes back after its visibility timeout', async () => {
    const q = await alice.getService('public/queue');
    await q.push('work', { job: 'a' });
    const r = await q.reserve(kw({ queue_name: 'work', timeout: 0, visibility_timeout: 0.5 }));
    expect(r.task).toEqual({ job: 'a' });
    expect(await q.get_length('work')).toBe(0);
    const again = await q.reserve('work', 5, 30);
    expect(again.task).toEqual({ job: 'a' });
    await expect(q.ack('work', r.id)).rejects.toThrow(`Reservation ${r.id} not found in queue work`);
    await q.nack('work', again.id);
    const third = await q.reserve('work', 0, 30);
    expect(third.task).toEqual({ job: 'a' });
    await q.ack('work', third.id);
    expect(await q.reserve('work', 0, 30)).toBeNull();
  });
});

describe('public/queue on two instances sharing Redis', () => {
  const pool = new ClientPool();
  const prefix = `hypha-e2e-queue-${randomUUID().slice(0, 8)}:`;
  let a: TestServer;
  let b: TestServer;
  let token: string;

  beforeAll(async () => {
    const shared = { redisUri: 'redis://127.0.0.1:6379', redisKeyPrefix: prefix };
    a = await startTestServer({ ...shared, serverId: `qa-${randomUUID().slice(0, 8)}` });
    b = await startTestServer({ ...shared, serverId: `qb-${randomUUID().slice(0, 8)}`, jwtSecret: undefined });
    token = mintToken(a.authConfig, userWith(`carol-${randomUUID().slice(0, 8)}`, {}));
  }, 30_000);
  afterAll(async () => {
    await pool.disconnectAll();
    await b?.close();
    await a?.close();
    await deletePrefixed(6379, prefix);
  });

  it('a task reserved through an instance that goes away is delivered again by the other one', async () => {
    const onA = await pool.connect(a.url, { client_id: 'producer', token });
    const ws = onA.config.workspace;
    const qa = await onA.getService(`public/builtin-${a.server.serverId}:queue`);
    await qa.push('cluster', { job: 1 });
    await qa.push('cluster', { job: 2 });
    const onB = await pool.connect(b.url, { client_id: 'consumer', token: mintToken(b.authConfig, userWith(`carol-b`, { [ws]: 'rw' })), workspace: ws });
    const qb = await onB.getService(`public/builtin-${b.server.serverId}:queue`);
    const r = await qb.reserve('cluster', 0, 1);
    expect(r.task).toEqual({ job: 1 });
    await pool.disconnect(onB);
    await b.close();
    const first = await qa.reserve('cluster', 0, 30);
    expect(first.task).toEqual({ job: 2 });
    await qa.ack('cluster', first.id);
    const redelivered = await qa.reserve('cluster', 5, 30);
    expect(redelivered.task).toEqual({ job: 1 });
    await qa.ack('cluster', redelivered.id);
    expect(await qa.get_length('cluster')).toBe(0);
  });
});
