import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHalfClose } from './compat-helpers/half-close.js';
import { npmHarness } from './compat-helpers/npm-client.js';

// rpc-protocol §3.6: a call that cannot be delivered gets an immediate synthetic reject. The
// reference sends it whenever writing to the target fails, including a target whose socket is
// already closing; hypha-rpc callers otherwise wait their whole method_timeout.

const h = npmHarness();
beforeAll(() => h.start());
afterEach(() => h.closeAll());
afterAll(() => h.stop());

describe('dead-peer fast failure (npm hypha-rpc)', () => {
  it('rejects a call to a provider whose socket is closing with "is not connected", not a timeout', async () => {
    const owner = await h.connect();
    const ws = owner.config.workspace as string;
    // A short method_timeout keeps the failing run short; the assertion is on the error text.
    const provider = await h.connect({ client_id: 'closing-provider', workspace: ws, token: await owner.generateToken(), method_timeout: 3 });
    await provider.registerService({ id: 'svc', config: { visibility: 'public' }, f: () => 1 });
    const caller = await h.connect({ method_timeout: 3 });
    const svc = await caller.getService(`${ws}/closing-provider:svc`);
    expect(await svc.f()).toBe(1);

    const half = startHalfClose(provider);
    try {
      // Let the close frame reach the server (it answers and waits for our FIN, which never comes).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const err = await svc.f().then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toMatch(/Target peer .*closing-provider is not connected/);
    } finally {
      half.destroy();
    }
  });
});

describe('a provider that leaves while a call waits on it (issue #10 item 10)', () => {
  it('fails the waiting call at once for a caller in another workspace, not at its timeout', async () => {
    const owner = await h.connect();
    const ws = owner.config.workspace as string;
    const provider = await h.connect({ client_id: 'leaving-provider', workspace: ws, token: await owner.generateToken() });
    await provider.registerService({ id: 'svc', config: { visibility: 'public' }, hang: () => new Promise(() => undefined), f: () => 1 });
    // Another workspace: the `client_disconnected` broadcast of the provider's workspace never reaches it.
    const caller = await h.connect({ method_timeout: 60 });
    expect(caller.config.workspace).not.toBe(ws);
    const svc = await caller.getService(`${ws}/leaving-provider:svc`);
    expect(await svc.f()).toBe(1);

    const started = Date.now();
    const pending = svc.hang().then(() => null, (e: unknown) => e as Error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await provider.disconnect();
    const err = await pending;
    expect(err?.message).toMatch(/leaving-provider/);
    expect(err?.message).toMatch(/not connected|disconnected/i);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 70_000);
});
