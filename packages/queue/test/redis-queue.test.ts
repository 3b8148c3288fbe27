import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueueBackend } from '../src/index.js';
import { queueContract } from './queue-contract.js';

const url = 'redis://127.0.0.1:6379';
const prefix = `hypha-test:${randomUUID()}:`;
const open = (keyPrefix = prefix) => RedisQueueBackend.connect({ url, keyPrefix, reapIntervalMs: 100 });

queueContract('redis', () => open());

describe('redis queue backend across processes', () => {
  const raw = createClient({ url });

  beforeAll(async () => {
    await raw.connect();
  });
  afterAll(async () => {
    const keys: string[] = [];
    for await (const batch of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
    if (keys.length) await raw.del(keys);
    await raw.close();
  });

  it('keeps the reference layout: JSON strings in the list <ws>:q:<name>, LPUSH in, oldest out', async () => {
    const q = await open();
    const key = `ws-a:q:${randomUUID()}`;
    await raw.lPush(prefix + key, '{"from":"python"}');
    await q.push(key, '{"from":"ts"}');
    expect(await raw.lRange(prefix + key, 0, -1)).toEqual(['{"from":"ts"}', '{"from":"python"}']);
    expect(await q.pop(key, 1)).toBe('{"from":"python"}');
    await q.close();
  });

  it('a task reserved by an instance that stops without acknowledging is delivered by another instance', async () => {
    const own = `${prefix}${randomUUID()}:`;
    const a = await open(own);
    const key = `ws-a:q:${randomUUID()}`;
    await a.push(key, 'survives');
    const r = await a.reserve(key, 0, 0.5);
    expect(r?.payload).toBe('survives');
    await a.close();
    expect(await raw.lLen(own + key)).toBe(0);
    const b = await open(own);
    const again = await b.reserve(key, 5, 30);
    expect(again?.payload).toBe('survives');
    expect(await b.ack(key, again!.id)).toBe(true);
    expect(await raw.zCard(`${own}q:reservations`)).toBe(0);
    await b.close();
  });

  it('a consumer waiting in reserve on an instance that goes away takes nothing with it', async () => {
    const a = await open();
    const key = `ws-a:q:${randomUUID()}`;
    const waiting = a.reserve(key, 10, 30);
    await new Promise((r) => setTimeout(r, 100));
    const refused = expect(waiting).rejects.toThrow('Disconnects client');
    await a.close();
    await refused;
    const b = await open();
    await b.push(key, 'kept');
    expect(await b.pop(key, 1)).toBe('kept');
    await b.close();
  });
});
