/**
 * Session lifetime: sessions end when calls settle; sessions kept for returned callbacks are
 * garbage-collected after `session_max_age` of inactivity.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RPC } from '../src/index.js';
import { WS, ourPeer, refPeer } from './helpers/peers.js';
import { TestRouter } from './helpers/router.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const service = {
  id: 'svc',
  config: { visibility: 'public' as const },
  run: async (n: number, cb: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < n; i++) await cb(i);
    return 'done';
  },
  makeAdder: (base: number) => (x: number) => base + x,
};

describe('sessions', () => {
  it('leave nothing behind on either of our peers once calls settle', async () => {
    const router = new TestRouter();
    const a = ourPeer(router, 'a');
    const b = ourPeer(router, 'b');
    cleanups.push(() => a.close(), () => b.close());
    b.add_service(service);
    const svc = await a.get_remote_service(`${WS}/b:svc`);
    expect(await svc.run(3, (i: number) => i)).toBe('done');
    await new Promise((r) => setTimeout(r, 5));
    expect(a.get_session_stats().total_sessions).toBe(0);
    expect(b.get_session_stats().total_sessions).toBe(0);
  });

  it('a returned callback lives until its session is idle for session_max_age', async () => {
    const router = new TestRouter();
    const owner = ourPeer(router, 'owner', { session_max_age: 0.2 });
    const ref = refPeer(router, 'ref');
    cleanups.push(() => owner.close(), () => ref.close());
    owner.add_service(service);
    const svc = await ref.get_remote_service(`${WS}/owner:svc`);
    const add5 = await svc.makeAdder(5);
    expect(await add5(1)).toBe(6);
    expect((owner as RPC).get_session_stats().total_sessions).toBe(1);
    await new Promise((r) => setTimeout(r, 600));
    expect((owner as RPC).get_session_stats().total_sessions).toBe(0);
    await expect(add5(1)).rejects.toThrow(/Session not found: ws-test\/ref:/);
  });
});
