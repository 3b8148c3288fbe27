import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { MemoryEventBus } from '@hypha/eventbus';
import { decodeFrame } from '@hypha/rpc';
import type { UserInfo } from '@hypha/auth';
import { MessageRouter } from '../src/internal.js';

// rpc-protocol §3.6: a call whose target cannot take the frame (its socket is closing) is rejected
// at once with "Target peer … is not connected", never dropped.

const user = { id: 'u1', roles: [], is_anonymous: false, scope: { workspaces: { 'ws-1': 'rw' }, current_workspace: 'ws-1' } } as unknown as UserInfo;

function frameOf(main: Record<string, unknown>): Uint8Array {
  const head = encode(main);
  const tail = encode({ args: [1] });
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

const routers: MessageRouter[] = [];
afterEach(async () => {
  for (const r of routers.splice(0)) await r.close();
});

async function setup(sameInstance: boolean) {
  const bus = new MemoryEventBus();
  const a = new MessageRouter({ bus, serverId: 'a' });
  const b = sameInstance ? a : new MessageRouter({ bus, serverId: 'b' });
  routers.push(...new Set([a, b]));
  const received: Array<{ main: Record<string, unknown>; extra: Record<string, unknown> | null }> = [];
  const { handle: caller } = await a.attach({
    workspace: 'ws-1',
    clientId: 'c1',
    user,
    deliver: (frame) => {
      const { main, extra } = decodeFrame(frame);
      received.push({ main: main as Record<string, unknown>, extra: (extra ?? null) as Record<string, unknown> | null });
    },
  });
  await b.attach({ workspace: 'ws-1', clientId: 'closing', user, deliver: () => false });
  return { a, b, caller, received };
}

// On the same instance the router rejects with the caller's own `to`/`from` as sent; from another
// instance the reject is built from the stamped (absolute) frame. hypha-rpc accepts both forms.
describe.each([
  ['on the same instance', true, { from: 'closing', to: 'c1' }],
  ['on another instance', false, { from: 'ws-1/closing', to: 'ws-1/c1' }],
])('a target whose transport is closing, %s', (_label, sameInstance, ends) => {
  it('answers a call with a session by the synthetic reject', async () => {
    const { caller, received } = await setup(sameInstance);
    caller.route(frameOf({ type: 'method', from: 'c1', to: 'closing', method: 'svc.f', session: 's1' }));
    await vi.waitFor(() => expect(received).toHaveLength(1));
    const { main, extra } = received[0]!;
    expect(main).toEqual({ type: 'method', method: 's1.reject', ...ends });
    expect((extra?.args as Array<Record<string, unknown>>)[0]).toMatchObject({
      _rtype: 'error',
      _rvalue: 'Target peer ws-1/closing is not connected',
    });
  });

  it('counts a frame without a session as undelivered and sends nothing back', async () => {
    const { b, caller, received } = await setup(sameInstance);
    caller.route(frameOf({ type: 'method', from: 'c1', to: 'closing', method: 's9.resolve' }));
    await vi.waitFor(() => expect(b.stats.undelivered).toBe(1));
    expect(received).toEqual([]);
  });
});
