/**
 * A remote function relayed by another peer: when its `_rserver` is not the relay's own server,
 * the relay re-exports it as one of its own functions (the proxy itself runs as the callee). A
 * keyword-argument call to it must reach the original function as keyword arguments.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RPC } from '../src/index.js';
import { ourPeer, refPeer, WS } from './helpers/peers.js';
import { TestRouter } from './helpers/router.js';

let close: Array<() => void> = [];
afterEach(() => {
  for (const c of close.splice(0)) c();
});

async function relayedKw(callerKind: 'ours' | 'ref') {
  const router = new TestRouter();
  const provider = ourPeer(router, 'provider', { server_base_url: 'http://provider.invalid' });
  const relay = ourPeer(router, 'relay', { server_base_url: 'http://relay.invalid' });
  const caller = callerKind === 'ours' ? ourPeer(router, 'caller') : refPeer(router, 'caller');
  close = [() => provider.close(), () => relay.close(), () => caller.close()];
  await provider.register_service({ id: 'svc', config: { visibility: 'public' }, kw: (a: number, b: number, c: string) => `${a}-${b}-${c}` }, { notify: false });
  await relay.register_service(
    {
      id: 'relay',
      config: { visibility: 'public' },
      fetch: async () => (await relay.get_remote_service(`${WS}/provider:svc`)).kw,
    },
    { notify: false },
  );
  const relaySvc = await (caller as RPC).get_remote_service(`${WS}/relay:relay`);
  const kw = await relaySvc.fetch();
  // The relay re-exported it: the call goes to the relay, not to the provider.
  expect(kw.__rpc_object__._rtarget).toBe(`${WS}/relay`);
  return kw;
}

describe('keyword arguments to a relayed remote function', () => {
  for (const callerKind of ['ours', 'ref'] as const) {
    it(`reach the original function (caller: ${callerKind})`, async () => {
      const kw = await relayedKw(callerKind);
      expect(await kw({ c: 'x', b: 2, a: 1, _rkwargs: true })).toBe('1-2-x');
      expect(await kw(1, 2, 'p')).toBe('1-2-p');
    });
  }

  it('keep positional arguments before the kwargs map', async () => {
    const kw = await relayedKw('ours');
    expect(await kw(1, { c: 'y', b: 5, _rkwargs: true })).toBe('1-5-y');
  });

  it('bind by the __schema__ parameter names when a function has one (not its source text)', async () => {
    const router = new TestRouter();
    const provider = ourPeer(router, 'provider');
    const caller = ourPeer(router, 'caller');
    close = [() => provider.close(), () => caller.close()];
    // Its source names nothing (rest parameters); its schema names the parameters in order.
    const joined = Object.assign((...args: unknown[]) => args.slice(0, 2).join('|'), {
      __schema__: { name: 'joined', description: 'Joins two values.', parameters: { type: 'object', properties: { left: {}, right: {} } } },
    });
    await provider.register_service({ id: 'schema', config: { visibility: 'public' }, joined }, { notify: false });
    const svc = await (caller as RPC).get_remote_service(`${WS}/provider:schema`);
    expect(await svc.joined({ right: 'R', left: 'L', _rkwargs: true })).toBe('L|R');
  });
});
