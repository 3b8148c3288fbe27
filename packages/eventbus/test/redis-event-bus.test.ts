import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BusPayload } from '../src/index.js';
import { runEventBusContract } from './helpers/event-bus-contract.js';
import { cleanupPrefix, rawClient, RedisEventBus, testBusOptions, uniquePrefix, type RawRedis } from './helpers/redis.js';
import { Inbox, waitFor } from './helpers/wait.js';

let raw: RawRedis;
const prefixes: string[] = [];
const buses: RedisEventBus[] = [];

beforeAll(async () => {
  raw = await rawClient();
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
  for (const p of prefixes.splice(0)) await cleanupPrefix(raw, p);
});
afterAll(async () => {
  await raw.close();
});

async function newBus(prefix: string, onError?: (e: unknown, ev: string) => void): Promise<RedisEventBus> {
  const bus = await RedisEventBus.connect({ ...testBusOptions(prefix), ...(onError ? { onError } : {}) });
  buses.push(bus);
  return bus;
}

function freshPrefix(): string {
  const p = uniquePrefix();
  prefixes.push(p);
  return p;
}

runEventBusContract('RedisEventBus', (onError) => newBus(freshPrefix(), onError));

/** Emit a broadcast and wait until `bus` saw it: everything published before it has arrived. */
async function barrier(from: RedisEventBus, to: RedisEventBus): Promise<void> {
  const inbox = new Inbox<BusPayload>();
  const name = `barrier-${Math.random()}`;
  const off = to.on(name, inbox.handler);
  await from.emit(name, 'b');
  await inbox.next(1, 'barrier');
  off();
}

describe('RedisEventBus wire format', () => {
  it('stores keys under the prefix and strips it from scan results', async () => {
    const prefix = freshPrefix();
    const bus = await newBus(prefix);
    await bus.set('revoked_token:abc', 'revoked', { ttlMs: 60_000 });
    await bus.hSet('services:public|generic:ws1/c1:built-in@*', { id: 'ws1/c1:built-in', app_id: '__null__' });
    expect(await raw.get(`${prefix}revoked_token:abc`)).toBe('revoked');
    expect(await raw.pTTL(`${prefix}revoked_token:abc`)).toBeGreaterThan(0);
    expect(await raw.hGetAll(`${prefix}services:public|generic:ws1/c1:built-in@*`)).toEqual({ id: 'ws1/c1:built-in', app_id: '__null__' });
    expect(await bus.scan('services:*|*:ws1/*:built-in@*')).toEqual(['services:public|generic:ws1/c1:built-in@*']);
  });

  it('publishes broadcasts with the one-byte type prefix', async () => {
    const prefix = freshPrefix();
    const bus = await newBus(prefix);
    const seen: { channel: string; payload: Buffer }[] = [];
    const sub = raw.duplicate();
    await sub.connect();
    await sub.pSubscribe(`${prefix}broadcast:*`, (payload: Buffer, channel: Buffer) => seen.push({ channel: channel.toString(), payload }), true);
    await bus.emit('ws1/*:msg', new Uint8Array([1, 2]));
    await bus.emit('client-reconnected', 'ws1/c1');
    await bus.emit('healthcheck:x', { ts: 1 });
    await waitFor(() => seen.length >= 3, '3 raw broadcasts');
    await sub.close();
    expect(seen.map((s) => s.channel)).toEqual([`${prefix}broadcast:ws1/*:msg`, `${prefix}broadcast:client-reconnected`, `${prefix}broadcast:healthcheck:x`]);
    expect([...seen[0]!.payload]).toEqual([0x62, 1, 2]);
    expect(seen[1]!.payload.toString()).toBe('sws1/c1');
    expect(seen[2]!.payload.toString()).toBe('d{"ts":1}');
  });

  it('decodes messages published by another (reference-style) publisher', async () => {
    const prefix = freshPrefix();
    const bus = await newBus(prefix);
    await bus.addLocalClient('ws1/c1');
    const inbox = new Inbox<BusPayload>();
    bus.on('ws1/c1:msg', inbox.handler);
    await raw.publish(`${prefix}targeted:ws1/c1:msg`, Buffer.from([0x62, 9, 8]));
    await raw.publish(`${prefix}targeted:ws1/c1:msg`, 'd{"type":"hello"}');
    const got = await inbox.next(2);
    expect([...(got[0]!.data as Uint8Array)]).toEqual([9, 8]);
    expect(got[1]!.data).toEqual({ type: 'hello' });
  });

  it('reports undecodable payloads instead of dropping them silently', async () => {
    const prefix = freshPrefix();
    const errors: unknown[] = [];
    const bus = await newBus(prefix, (e) => errors.push(e));
    await raw.publish(`${prefix}broadcast:weird`, 'xjunk');
    await waitFor(() => errors.length > 0, 'a reported decode error');
    expect(String(errors[0])).toMatch(/Unknown payload type byte 0x78 on channel '.*broadcast:weird'/);
    expect(bus.circuitState).toBe('closed');
  });
});

describe('RedisEventBus across instances', () => {
  it('routes a targeted message only to the instance holding the client', async () => {
    const prefix = freshPrefix();
    const a = await newBus(prefix);
    const b = await newBus(prefix);
    await b.addLocalClient('ws1/c1');
    const atA = new Inbox<BusPayload>();
    const atB = new Inbox<BusPayload>();
    a.on('ws1/c1:msg', atA.handler);
    b.on('ws1/c1:msg', atB.handler);
    await a.emit('ws1/c1:msg', new Uint8Array([42]));
    const got = await atB.next(1);
    expect([...(got[0]!.data as Uint8Array)]).toEqual([42]);
    await barrier(b, a);
    expect(atA.items).toEqual([]);
  });

  it('delivers broadcasts to every instance, the sender included, exactly once', async () => {
    const prefix = freshPrefix();
    const a = await newBus(prefix);
    const b = await newBus(prefix);
    const atA = new Inbox<BusPayload>();
    const atB = new Inbox<BusPayload>();
    a.on('ws1/*:msg', atA.handler);
    b.on('ws1/*:msg', atB.handler);
    await a.emit('ws1/*:msg', { type: 'service_added' });
    await atA.next(1);
    await atB.next(1);
    await barrier(a, a);
    await barrier(a, b);
    expect(atA.items.map((i) => i.data)).toEqual([{ type: 'service_added' }]);
    expect(atB.items.map((i) => i.data)).toEqual([{ type: 'service_added' }]);
  });

  it('isolates deployments by key prefix', async () => {
    const a = await newBus(freshPrefix());
    const b = await newBus(freshPrefix());
    const atB = new Inbox<BusPayload>();
    b.on('shared', atB.handler);
    await a.emit('shared', 'from a');
    await barrier(b, b);
    expect(atB.items).toEqual([]);
    await a.set('k', 'a');
    expect(await b.get('k')).toBeNull();
  });

  it('routes manager messages of any workspace via the */manager-<sid> glob, once', async () => {
    const prefix = freshPrefix();
    const a = await newBus(prefix);
    const b = await newBus(prefix);
    await b.addLocalClient('*/manager-s1');
    await b.addLocalClient('ws9/manager-s1');
    const atB = new Inbox<BusPayload>();
    b.on('ws9/manager-s1:msg', atB.handler);
    b.on('ws3/manager-s1:msg', atB.handler);
    await a.emit('ws9/manager-s1:msg', 'one');
    await a.emit('ws3/manager-s1:msg', 'two');
    await atB.next(2);
    await barrier(a, b);
    expect(atB.items.map((i) => i.data)).toEqual(['one', 'two']);
  });

  it('escapes glob characters in client ids', async () => {
    const prefix = freshPrefix();
    const a = await newBus(prefix);
    const b = await newBus(prefix);
    await b.addLocalClient('ws1/c[1]?');
    const atB = new Inbox<BusPayload>();
    b.on('ws1/c1x:msg', atB.handler);
    b.on('ws1/c[1]?:msg', atB.handler);
    await a.emit('ws1/c1x:msg', 'must not arrive');
    await a.emit('ws1/c[1]?:msg', 'literal');
    await atB.next(1);
    await barrier(a, b);
    expect(atB.items.map((i) => i.data)).toEqual(['literal']);
  });

  it('stops receiving a client’s messages after removeLocalClient', async () => {
    const prefix = freshPrefix();
    const a = await newBus(prefix);
    const b = await newBus(prefix);
    await b.addLocalClient('ws1/c1');
    const atB = new Inbox<BusPayload>();
    b.on('ws1/c1:msg', atB.handler);
    await a.emit('ws1/c1:msg', 'before');
    await atB.next(1);
    await b.removeLocalClient('ws1/c1');
    await a.emit('ws1/c1:msg', 'after');
    await barrier(a, b);
    expect(atB.items.map((i) => i.data)).toEqual(['before']);
  });

  it('shares key-value state between instances', async () => {
    const prefix = freshPrefix();
    const a = await newBus(prefix);
    const b = await newBus(prefix);
    await a.hSet('workspaces', { 'my-lab': '{"id":"my-lab"}' });
    expect(await b.hGet('workspaces', 'my-lab')).toBe('{"id":"my-lab"}');
    expect(await b.set('hypha:leader', 'b', { onlyIfAbsent: true, ttlMs: 15_000 })).toBe(true);
    expect(await a.set('hypha:leader', 'a', { onlyIfAbsent: true, ttlMs: 15_000 })).toBe(false);
  });
});

describe('RedisEventBus.connect', () => {
  it('fails with a clear error when Redis is unreachable', async () => {
    await expect(
      RedisEventBus.connect({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300, reconnectMinDelayMs: 20, logger: () => undefined }),
    ).rejects.toThrow(/Could not connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
