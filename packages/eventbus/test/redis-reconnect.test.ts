import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCircuitOpenError, type BusPayload } from '../src/index.js';
import { cleanupPrefix, rawClient, RedisEventBus, testBusOptions, uniquePrefix, type RawRedis } from './helpers/redis.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { Inbox, waitFor } from './helpers/wait.js';

let raw: RawRedis;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  raw = await rawClient();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await raw.close();
});

function freshPrefix(): string {
  const p = uniquePrefix();
  cleanups.push(() => cleanupPrefix(raw, p));
  return p;
}

async function connect(options: Parameters<typeof RedisEventBus.connect>[0]): Promise<RedisEventBus> {
  const bus = await RedisEventBus.connect(options);
  cleanups.push(() => bus.close());
  return bus;
}

/** Ids of this bus's Redis connections, found by CLIENT SETNAME; never touches other clients. */
async function connectionIds(name: string): Promise<{ cmd: string[]; sub: string[] }> {
  const list = await raw.sendCommand<string>(['CLIENT', 'LIST']);
  const out = { cmd: [] as string[], sub: [] as string[] };
  for (const line of list.split('\n')) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    const n = /(?:^| )name=(\S*)/.exec(line)?.[1];
    if (!id) continue;
    if (n === name) out.cmd.push(id);
    if (n === `${name}-sub`) out.sub.push(id);
  }
  return out;
}

async function kill(ids: string[]): Promise<void> {
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) expect(await raw.sendCommand(['CLIENT', 'KILL', 'ID', id])).toBe(1);
}

describe('RedisEventBus recovery after CLIENT KILL', () => {
  it.each([
    ['both connections', (c: { cmd: string[]; sub: string[] }) => [...c.cmd, ...c.sub]],
    ['the pub/sub connection', (c: { cmd: string[]; sub: string[] }) => c.sub],
  ])('recovers when %s are killed, re-subscribes and fires onReconnect', async (_label, pick) => {
    const prefix = freshPrefix();
    const name = `hypha-test-${prefix.slice(-12, -1)}`;
    const bus = await connect(testBusOptions(prefix, { clientName: name }));
    const peer = await connect(testBusOptions(prefix));
    await bus.addLocalClient('ws1/c1');
    await bus.addLocalClient('*/manager-s1');
    let reconnects = 0;
    bus.onReconnect(async () => {
      // Owners re-announce lost state here, so the backend must be usable already.
      await bus.hSet('services:public|generic:ws1/c1:built-in@*', { id: 'ws1/c1:built-in' });
      reconnects++;
    });
    const direct = new Inbox<BusPayload>();
    const manager = new Inbox<BusPayload>();
    const broadcast = new Inbox<BusPayload>();
    bus.on('ws1/c1:msg', direct.handler);
    bus.on('ws5/manager-s1:msg', manager.handler);
    bus.on('ws1/*:msg', broadcast.handler);

    const before = await connectionIds(name);
    await kill(pick(before));
    await waitFor(() => reconnects > 0, 'onReconnect');
    const after = await connectionIds(name);
    expect(after.cmd.length + after.sub.length).toBe(2);

    await peer.emit('ws1/c1:msg', 'direct');
    await peer.emit('ws5/manager-s1:msg', 'manager');
    await peer.emit('ws1/*:msg', 'broadcast');
    expect((await direct.next(1))[0]!.data).toBe('direct');
    expect((await manager.next(1))[0]!.data).toBe('manager');
    expect((await broadcast.next(1))[0]!.data).toBe('broadcast');
    expect(await peer.hGet('services:public|generic:ws1/c1:built-in@*', 'id')).toBe('ws1/c1:built-in');
    expect(await bus.health()).toEqual({ healthy: true });
    expect(reconnects).toBe(1);
  });
});

describe('RedisEventBus circuit breaker (outage through a TCP proxy)', () => {
  it('opens after N failures, half-opens after the cooldown, closes when Redis is back', async () => {
    const proxy = await TcpProxy.start();
    cleanups.push(() => proxy.close());
    const prefix = freshPrefix();
    const options = testBusOptions(prefix, { url: proxy.url, maxFailures: 3, circuitResetMs: 150, healthTimeoutMs: 500 });
    const bus = await connect(options);
    await bus.addLocalClient('ws1/c1');
    const peer = await connect(testBusOptions(prefix));
    let reconnects = 0;
    bus.onReconnect(() => {
      reconnects++;
    });
    await bus.set('k', 'v');

    proxy.cut();
    await waitFor(async () => !(await bus.health()).healthy, 'bus to notice the outage');
    // Failed commands (the health probes above included) count until the circuit opens.
    const failures: unknown[] = [];
    let open: unknown;
    while (failures.length <= 3) {
      const err = await bus.get('k').catch((e: unknown) => e);
      if (isCircuitOpenError(err)) {
        open = err;
        break;
      }
      failures.push(err);
    }
    expect(failures.length).toBeLessThanOrEqual(3);
    expect(failures.every((e) => e instanceof Error)).toBe(true);
    expect(bus.circuitState).toBe('open');
    expect(isCircuitOpenError(open)).toBe(true);
    expect(String(open)).toMatch(/circuit breaker is open after 3 consecutive failures/);
    expect((await bus.health()).reason).toMatch(/circuit breaker is open/);

    // After the cooldown one trial reaches the (still dead) backend and re-opens the circuit.
    await new Promise((r) => setTimeout(r, 200));
    const trial = await bus.get('k').catch((e: unknown) => e);
    expect(trial instanceof Error && !isCircuitOpenError(trial)).toBe(true);
    expect(isCircuitOpenError(await bus.get('k').catch((e: unknown) => e))).toBe(true);

    proxy.restore();
    await waitFor(() => reconnects > 0, 'onReconnect after the outage', 10_000);
    expect(bus.circuitState).toBe('closed');
    expect(await bus.get('k')).toBe('v');
    const direct = new Inbox<BusPayload>();
    bus.on('ws1/c1:msg', direct.handler);
    await peer.emit('ws1/c1:msg', 'after outage');
    expect((await direct.next(1))[0]!.data).toBe('after outage');
    expect(await bus.health()).toEqual({ healthy: true });
    expect(options.logs.some((l) => l.startsWith('warn redis connection lost'))).toBe(true);
  });

  it('subscribes clients added during an outage once Redis is back', async () => {
    const proxy = await TcpProxy.start();
    cleanups.push(() => proxy.close());
    const prefix = freshPrefix();
    const bus = await connect(testBusOptions(prefix, { url: proxy.url }));
    const peer = await connect(testBusOptions(prefix));
    let reconnects = 0;
    bus.onReconnect(() => {
      reconnects++;
    });
    proxy.cut();
    await waitFor(async () => !(await bus.health()).healthy, 'bus to notice the outage');
    await bus.addLocalClient('ws2/late');
    expect(bus.isLocalClient('ws2/late')).toBe(true);
    proxy.restore();
    await waitFor(() => reconnects > 0, 'onReconnect', 10_000);
    const inbox = new Inbox<BusPayload>();
    bus.on('ws2/late:msg', inbox.handler);
    await peer.emit('ws2/late:msg', 'hi');
    expect((await inbox.next(1))[0]!.data).toBe('hi');
  });
});
