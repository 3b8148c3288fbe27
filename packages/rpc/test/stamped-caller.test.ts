/**
 * The caller is who the router stamped in segment 1 (issue #10 item 1): `from`, `to`, `ws`,
 * `user` or `ctx` planted in segment 2 — which routers forward unread — must not change who a
 * provider thinks is calling, neither for a plain frame nor for a reassembled chunked message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, encodeMsgpack } from '../src/index.js';
import { captureLogger } from './helpers/capture-logger.js';
import { WS, ourPeer } from './helpers/peers.js';
import { rawPeer, TestRouter } from './helpers/router.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const OUTSIDE = 'ws-outsider';

async function setup() {
  const router = new TestRouter();
  const ts = ourPeer(router, 'ts', { logger: captureLogger().logger });
  cleanups.push(() => ts.close());
  let seenFrom: unknown = null;
  await ts.register_service(
    {
      id: 'vault',
      config: { visibility: 'protected', require_context: true },
      read: (ctx: { from: string }) => {
        seenFrom = ctx.from;
        return 'top secret';
      },
    },
    { notify: false },
  );
  const raw = rawPeer(router, OUTSIDE, 'mallory');
  return { router, raw, seenFrom: () => seenFrom };
}

function callbacks(replyTo: string, session: string) {
  const cb = (name: string) => ({ _rtype: 'method', _rtarget: replyTo, _rmethod: `${session}.${name}` });
  return { resolve: cb('resolve'), reject: cb('reject') };
}

const planted = {
  from: `${WS}/insider`,
  to: `${WS}/ts`,
  ws: WS,
  user: { id: 'insider', is_anonymous: false },
  ctx: { from: `${WS}/insider`, ws: WS, user: { id: 'insider' } },
};

async function answer(raw: ReturnType<typeof rawPeer>, before: number, session: string) {
  for (let seen = before; ; seen++) {
    const { main, extra } = decodeFrame(await raw.next(seen));
    if (String(main.method).startsWith(`${session}.`)) return { method: String(main.method), value: (extra!.args as unknown[])[0] };
  }
}

describe('caller identity comes from segment 1 only', () => {
  it('a planted segment 2 does not open a protected method', async () => {
    const { raw, seenFrom } = await setup();
    const before = raw.received.length;
    raw.send(
      encodeFrame(
        { type: 'method', to: `${WS}/ts`, method: 'services.vault.read', session: 's1' },
        { args: [], promise: callbacks(raw.address, 's1'), ...planted },
      ),
    );
    const got = await answer(raw, before, 's1');
    expect(got.method).toBe('s1.reject');
    expect(JSON.stringify(got.value)).toMatch(/Permission denied for invoking protected method/);
    expect(seenFrom()).toBeNull();
  });

  it('a planted segment 2 inside a chunked message does not open it either', async () => {
    const { raw, seenFrom } = await setup();
    const inner = new Uint8Array([
      ...encodeMsgpack({ type: 'method', to: `${WS}/ts`, method: 'services.vault.read', session: 's2' }),
      ...encodeMsgpack({ args: [], promise: callbacks(raw.address, 's2'), ...planted }),
    ]);
    const cache = (method: string, args: unknown[], session?: string) =>
      encodeFrame({ type: 'method', to: `${WS}/ts`, method: `services.built-in.message_cache.${method}`, ...(session ? { session } : {}) }, { args });
    raw.send(cache('create', ['k1', false]));
    raw.send(cache('append', ['k1', inner.subarray(0, 10), false]));
    raw.send(cache('append', ['k1', inner.subarray(10), false]));
    const before = raw.received.length;
    raw.send(cache('process', ['k1', false]));
    const got = await answer(raw, before, 's2');
    expect(got.method).toBe('s2.reject');
    expect(JSON.stringify(got.value)).toMatch(/Permission denied for invoking protected method/);
    expect(seenFrom()).toBeNull();
  });

  it('control: a caller of the same workspace gets the result, and its stamped id is the caller', async () => {
    const { router, seenFrom } = await setup();
    const insider = rawPeer(router, WS, 'insider');
    insider.send(encodeFrame({ type: 'method', to: `${WS}/ts`, method: 'services.vault.read', session: 's3' }, { args: [], promise: callbacks(insider.address, 's3') }));
    const got = await answer(insider, 0, 's3');
    expect(got).toEqual({ method: 's3.resolve', value: 'top secret' });
    expect(seenFrom()).toBe(insider.address);
  });
});
