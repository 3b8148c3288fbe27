import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisEventBus } from '@hypha/eventbus/redis';
import { CallMeter, isAppClient } from '../src/call-meter.js';

// Two server instances sharing one Redis: calls routed on either count for the same session.

const prefix = `hypha-test:${randomUUID()}:`;
const buses: RedisEventBus[] = [];
const meters: CallMeter[] = [];

async function instance(serverId: string): Promise<CallMeter> {
  const bus = await RedisEventBus.connect({ url: 'redis://127.0.0.1:6379', keyPrefix: prefix, logger: () => undefined });
  buses.push(bus);
  const meter = new CallMeter(bus, serverId, (msg, err) => {
    throw new Error(`${msg}: ${String(err)}`);
  }, 60_000);
  meters.push(meter);
  return meter;
}

afterAll(async () => {
  for (const m of meters) m.close();
  for (const key of await buses[0]!.scan('app_calls:*')) await buses[0]!.del(key);
  await Promise.all(buses.map((b) => b.close()));
});

describe('CallMeter', () => {
  it('counts only app clients', () => {
    expect(isAppClient('ws-user-a/_rapp_abc__rlb')).toBe(true);
    expect(isAppClient('ws-user-a/some-client')).toBe(false);
    expect(isAppClient('_rapp_x')).toBe(false);
  });

  it('sums the calls of every instance over the last minute and sees the latest call anywhere', async () => {
    const a = await instance('server-a');
    const b = await instance('server-b');
    const session = 'ws-user-a/_rapp_meter__rlb';
    const now = Date.now();
    for (let i = 0; i < 5; i++) a.record(session, 'services.default.echo', now - 1000);
    for (let i = 0; i < 3; i++) b.record(session, 'services.default.echo', now);
    b.record(session, 'services.built-in.get_service', now);
    b.record(session, 'x1y2z3.resolve', now);
    b.record('ws-user-a/not-an-app', 'services.default.echo', now);
    // Before a flush each instance only knows its own calls.
    expect(await b.callsLastMinute(session, now)).toBe(3);
    await a.flush();
    await b.flush();
    expect(await a.callsLastMinute(session, now)).toBe(8);
    expect(await b.callsLastMinute(session, now)).toBe(8);
    expect(await a.lastCall(session)).toBe(now);
    // Calls older than a minute no longer count.
    expect(await a.callsLastMinute(session, now + 75_000)).toBe(0);
    await b.forget(session);
    expect(await b.lastCall(session)).toBeNull();
    expect(await b.callsLastMinute(session, now)).toBe(0);
  });
});
