import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '@hypha/server';
import { afterAll, describe, expect, it } from 'vitest';
import { randomSecret } from './cluster-helpers/hypha-clients.js';
import { waitUntil } from './cluster-helpers/poll.js';
import { deletePrefixed, redisCli, scanKeys } from './cluster-helpers/redis-cli.js';

// In-process servers on the machine's Redis: the leader lease and the clean-up after a restart
// with the same server id (the multi-process scenarios live in cluster-services / -redis-restart).

const REDIS_PORT = 6379;
const PREFIX = `hypha-cluster-liveness-${randomUUID().slice(0, 8)}:`;
const jwtSecret = randomSecret();
const running: RunningServer[] = [];

async function start(serverId?: string): Promise<RunningServer> {
  const srv = await startServer({
    port: 0,
    quiet: true,
    jwtSecret,
    redisUri: `redis://127.0.0.1:${REDIS_PORT}`,
    redisKeyPrefix: PREFIX,
    cluster: { heartbeatIntervalMs: 200 },
    ...(serverId ? { serverId } : {}),
  });
  running.push(srv);
  return srv;
}

async function stop(srv: RunningServer): Promise<void> {
  running.splice(running.indexOf(srv), 1);
  await srv.close();
}

const leaderOf = async () => (await redisCli(REDIS_PORT, 'GET', `${PREFIX}hypha:leader`)).trim();

afterAll(async () => {
  for (const srv of [...running]) await stop(srv);
  await deletePrefixed(REDIS_PORT, PREFIX);
});

describe('cluster liveness', () => {
  it('elects one leader through hypha:leader and hands the lease over when the leader leaves', async () => {
    const first = await start();
    const second = await start();
    await waitUntil('a leader', async () => (await leaderOf()) !== '');
    const holder = await leaderOf();
    expect([first.serverId, second.serverId]).toContain(holder);
    const [leader, follower] = holder === first.serverId ? [first, second] : [second, first];
    await waitUntil('the holder to know it leads', () => leader.core.cluster!.isLeader);
    expect(follower.core.cluster!.isLeader).toBe(false);

    await stop(leader);
    await waitUntil('the follower to take the lease', async () => (await leaderOf()) === follower.serverId && follower.core.cluster!.isLeader);
    await stop(follower);
    expect(await scanKeys(REDIS_PORT, `${PREFIX}hypha:*`)).toEqual([]);
  });

  it('removes what a crashed process with the same server id left behind when it starts again', async () => {
    const serverId = `restarted-${randomUUID().slice(0, 8)}`;
    const ghost = `ws-ghost/ghost-client`;
    const serviceKey = `${PREFIX}services:protected|generic:${ghost}:svc@*`;
    // The records a killed process leaves: presence naming it and a registration, no liveness record.
    await redisCli(REDIS_PORT, 'SET', `${PREFIX}clients:${ghost}`, serverId);
    await redisCli(REDIS_PORT, 'HSET', serviceKey, 'id', `${ghost}:svc`, 'name', 'svc', 'type', 'generic', 'config', '{}');

    const srv = await start(serverId);
    expect(await scanKeys(REDIS_PORT, `${PREFIX}clients:${ghost}`)).toEqual([]);
    expect(await scanKeys(REDIS_PORT, serviceKey)).toEqual([]);
    expect(await scanKeys(REDIS_PORT, `${PREFIX}hypha:server:${serverId}`)).toHaveLength(1);
    await stop(srv);
  });
});
