/**
 * The shared timer of a peer: call timeouts and heartbeats as entries of one TimerWheel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RPC, createLinkedPair } from '../src/index.js';
import { TimerWheel, type WheelEntry } from '../src/utils/timer-wheel.js';
import { Timer } from '../src/utils/timer.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function wheel(errors: unknown[] = []): TimerWheel {
  const w = new TimerWheel((err) => errors.push(err));
  cleanups.push(() => w.clear());
  return w;
}

function entry(name: string, inMs: number, fired: string[]): WheelEntry {
  return { due: Date.now() + inMs, fire: () => fired.push(name) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TimerWheel', () => {
  it('fires entries once each, earliest first, including one added earlier than the armed time', async () => {
    const w = wheel();
    const fired: string[] = [];
    w.add(entry('late', 60, fired));
    w.add(entry('early', 10, fired));
    w.add(entry('middle', 30, fired));
    expect(w.size).toBe(3);
    await sleep(150);
    expect(fired).toEqual(['early', 'middle', 'late']);
    expect(w.size).toBe(0);
  });

  it('does not fire removed entries, and a reset Timer fires once for its last deadline', async () => {
    const w = wheel();
    const fired: string[] = [];
    const removed = entry('removed', 10, fired);
    w.add(removed);
    w.remove(removed);
    let expired = 0;
    const timer = new Timer(w, 0.04, () => expired++);
    timer.start();
    await sleep(20);
    timer.reset(); // pushes the deadline out: the first deadline must not fire
    expect(timer.started).toBe(true);
    await sleep(100);
    expect(expired).toBe(1);
    expect(timer.started).toBe(false);
    expect(fired).toEqual([]);
  });

  it('reports an entry that throws and still fires the others', async () => {
    const errors: unknown[] = [];
    const w = wheel(errors);
    const fired: string[] = [];
    w.add({ due: Date.now() + 5, fire: () => { throw new Error('boom'); } });
    w.add(entry('other', 5, fired));
    await sleep(60);
    expect(fired).toEqual(['other']);
    expect(String(errors[0])).toMatch(/boom/);
  });
});

describe('call timeouts on the shared timer', () => {
  it('times out an unanswered call, and plain calls leave no sessions or pending timers', async () => {
    const [a, b] = createLinkedPair();
    const server = new RPC(a, { client_id: 'server', workspace: 'ws', logger: null });
    const client = new RPC(b, { client_id: 'client', workspace: 'ws', method_timeout: 0.1, logger: null });
    cleanups.push(() => client.close(), () => server.close());
    server.add_service({
      id: 'svc',
      config: { visibility: 'public' },
      echo: (x: unknown) => x,
    });
    const svc = await client.get_remote_service('ws/server:svc', { _no_retry: true });
    for (let i = 0; i < 20; i++) expect(await svc.echo({ i, bytes: new Uint8Array([i]) })).toEqual({ i, bytes: new Uint8Array([i]) });
    expect(client.get_session_stats().total_sessions).toBe(0);
    expect(server.get_session_stats().total_sessions).toBe(0);
    expect(client.timers.size).toBe(0);
    expect(server.timers.size).toBe(0);

    server.close(); // frames still arrive, nobody answers or sends heartbeats
    await expect(svc.echo(1)).rejects.toThrow(/Method call timed out: ws\/server:services\.svc\.echo/);
    expect(client.get_session_stats().total_sessions).toBe(0);
    expect(client.timers.size).toBe(0);
  });
});
