/**
 * Interop on the wire: chunked messages, timeouts and frame layout between our RPC and
 * hypha-rpc's RPC.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, type RPC } from '../src/index.js';
import { createPeers, WS, type Peers } from './helpers/peers.js';

let peers: Peers | null = null;
afterEach(() => {
  peers?.close();
  peers = null;
});

const MB = 1024 * 1024;

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4093) bytes[i] = (i / 4093) & 0xff;
  bytes[size - 1] = 0x5a;
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const largeService = {
  id: 'big',
  config: { visibility: 'public' as const },
  size: (data: Uint8Array) => data.byteLength,
  echo: (data: Uint8Array) => data,
  make: (n: number) => pattern(n),
};

describe('chunked messages (50 MB)', () => {
  for (const direction of ['ours→ref', 'ref→ours'] as const) {
    it(`${direction}: 50 MB argument and 50 MB reply cross through message_cache`, async () => {
      peers = createPeers();
      peers.router.record = false;
      const [caller, provider, providerId] =
        direction === 'ours→ref' ? [peers.ours, peers.ref, 'ref'] : [peers.ref, peers.ours, 'ts'];
      await provider.register_service(largeService, { notify: false });
      const svc = await caller.get_remote_service(`${WS}/${providerId}:big`);
      const data = pattern(50 * MB);
      expect(await svc.size(data)).toBe(50 * MB);
      const back = await svc.echo(data);
      expect(sameBytes(back, data)).toBe(true);
    }, 60_000);
  }

  it('uses the reference chunk size and message_cache calls on the wire', async () => {
    peers = createPeers();
    await peers.ref.register_service(largeService, { notify: false });
    const svc = await peers.ours.get_remote_service(`${WS}/ref:big`);
    peers.router.delivered.length = 0;
    expect(await svc.size(pattern(600_000))).toBe(600_000);
    const sent = peers.router.delivered.filter((f) => f.from === `${WS}/ts`).map((f) => decodeFrame(f.bytes));
    const methods = sent.map((f) => f.main.method);
    expect(methods).toContain('services.built-in.message_cache.create');
    expect(methods.filter((m) => m === 'services.built-in.message_cache.set')).toHaveLength(3);
    expect(methods).toContain('services.built-in.message_cache.process');
    const chunkSizes = sent
      .filter((f) => f.main.method === 'services.built-in.message_cache.set')
      .map((f) => ((f.extra!.args as unknown[])[2] as Uint8Array).byteLength)
      .sort((a, b) => b - a);
    expect(chunkSizes[0]).toBe(262144);
    expect(chunkSizes[1]).toBe(262144);
    for (const f of peers.router.delivered) expect(f.bytes.byteLength).toBeLessThanOrEqual(262144 + 1024);
  });
});

describe('timeouts', () => {
  const slow = {
    id: 'slow',
    config: { visibility: 'public' as const },
    wait: (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)),
  };

  it('ours→ref: rejects naming the method and the timeout when the callee goes silent', async () => {
    peers = createPeers({ ours: { method_timeout: 0.3 } });
    await peers.ref.register_service(slow, { notify: false });
    const svc = await peers.ours.get_remote_service(`${WS}/ref:slow`);
    peers.router.blocked.add(`${WS}/ref`);
    const err = await svc.wait(10).then(() => null, (e: Error) => e);
    expect(err?.message).toContain(`Method call timed out: ${WS}/ref:services.slow.wait`);
    expect(err?.message).toContain('0.3s');
    expect((peers.ours as RPC).get_session_stats().pending_calls).toBe(0);
  });

  it('ref→ours: hypha-rpc times out against our silent callee', async () => {
    peers = createPeers({ ref: { method_timeout: 0.3 } });
    await peers.ours.register_service(slow, { notify: false });
    const svc = await peers.ref.get_remote_service(`${WS}/ts:slow`);
    peers.router.blocked.add(`${WS}/ts`);
    const err = await svc.wait(10).then(() => null, (e: Error) => e);
    expect(err?.message).toContain(`Method call timed out: ${WS}/ts:services.slow.wait`);
  });

  for (const direction of ['ours→ref', 'ref→ours'] as const) {
    it(`${direction}: heartbeats keep a call longer than the timeout alive`, async () => {
      peers = createPeers({ ours: { method_timeout: 0.2 }, ref: { method_timeout: 0.2 } });
      const [caller, provider, providerId] =
        direction === 'ours→ref' ? [peers.ours, peers.ref, 'ref'] : [peers.ref, peers.ours, 'ts'];
      await provider.register_service(slow, { notify: false });
      const svc = await caller.get_remote_service(`${WS}/${providerId}:slow`);
      expect(await svc.wait(500)).toBe(500);
    });
  }
});

describe('frame layout', () => {
  it('our call frame has the same segments as hypha-rpc for the same call', async () => {
    peers = createPeers();
    const echo = { id: 'e', config: { visibility: 'public' as const }, add: (a: number, b: number) => a + b };
    await peers.ours.register_service(echo, { notify: false });
    await peers.ref.register_service(echo, { notify: false });
    const fromOurs = await peers.ours.get_remote_service(`${WS}/ref:e`);
    const fromRef = await peers.ref.get_remote_service(`${WS}/ts:e`);
    peers.router.delivered.length = 0;
    await fromOurs.add(2, 3);
    await fromRef.add(2, 3);
    const calls = peers.router.delivered.filter((f) => decodeFrame(f.bytes).main.method === 'services.e.add');
    expect(calls).toHaveLength(2);
    const [mine, theirs] = calls.map((f) => decodeFrame(f.bytes));
    const strip = (m: Record<string, unknown>) => ({ ...m, session: '<s>', from: '<f>', to: '<t>' });
    expect(strip(mine!.main)).toEqual(strip(theirs!.main));
    expect(Object.keys(mine!.main)).toEqual(Object.keys(theirs!.main));
    // Segment 2 of both is byte-identical: {"args":[2,3],"promise":"*","t":15}.
    const seg2 = (bytes: Uint8Array) => Buffer.from(bytes.subarray(bytes.byteLength - 19)).toString('hex');
    expect(seg2(calls[0]!.bytes)).toBe(seg2(calls[1]!.bytes));
    expect(mine!.extra).toEqual({ args: [2, 3], promise: '*', t: 15 });
  });
});
