/**
 * Custom codecs (spec §5.9) across both implementations, and context injection (§4.8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../src/index.js';
import { createPeers, WS, type Peers } from './helpers/peers.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const pointCodec = {
  name: 'point',
  type: Point,
  encoder: (p: Point) => ({ x: p.x, y: p.y }),
  decoder: (m: { x: number; y: number }) => new Point(m.x, m.y),
};

let peers: Peers | null = null;
afterEach(() => {
  peers?.close();
  peers = null;
});

describe('custom codecs', () => {
  for (const direction of ['ours→ref', 'ref→ours'] as const) {
    it(`${direction}: a registered codec round-trips class instances`, async () => {
      peers = createPeers();
      peers.ours.register_codec(pointCodec);
      peers.ref.register_codec(pointCodec);
      const [caller, provider, providerId] =
        direction === 'ours→ref' ? [peers.ours, peers.ref, 'ref'] : [peers.ref, peers.ours, 'ts'];
      await provider.register_service(
        { id: 'geo', config: { visibility: 'public' }, shift: (p: Point) => new Point(p.x + 1, p.y + 1) },
        { notify: false },
      );
      const svc = await caller.get_remote_service(`${WS}/${providerId}:geo`);
      const moved = await svc.shift(new Point(1, 2));
      expect(moved).toBeInstanceOf(Point);
      expect(moved).toEqual(new Point(2, 3));
    });
  }

  it('rejects an invalid codec', () => {
    peers = createPeers();
    expect(() => peers!.ours.register_codec({ name: 'x' })).toThrow(/Invalid codec format/);
  });
});

describe('context injection', () => {
  it('passes the stamped context and default_context to require_context functions', async () => {
    peers = createPeers({ ours: { default_context: { connection_type: 'memory' } } });
    let seen: CallContext | null = null;
    await peers.ours.register_service(
      {
        id: 'ctx',
        config: { visibility: 'public', require_context: ['who'] },
        who: (a: number, b: number | undefined, context: CallContext) => {
          seen = context;
          return [a, b ?? null];
        },
        plain: (...args: unknown[]) => args.length,
      },
      { notify: false },
    );
    const svc = await peers.ref.get_remote_service(`${WS}/ts:ctx`);
    expect(await svc.who(1)).toEqual([1, null]);
    expect(seen).toMatchObject({ from: `${WS}/ref`, to: `${WS}/ts`, ws: WS, user: { id: 'tester' }, connection_type: 'memory' });
    expect(await svc.plain(1, 2)).toBe(2);
  });

  it('denies protected services to other workspaces', async () => {
    peers = createPeers();
    await peers.ours.register_service({ id: 'private', hi: () => 'hi' }, { notify: false });
    const other = peers.router.attach('other-ws', 'intruder');
    const { RPC } = await import('../src/index.js');
    const intruder = new RPC(other, { client_id: 'intruder', workspace: 'other-ws' });
    await expect(intruder.get_remote_service(`${WS}/ts:private`)).rejects.toThrow(
      /Permission denied for getting protected service: private, workspace mismatch: ws-test != other-ws/,
    );
    intruder.close();
  });
});
