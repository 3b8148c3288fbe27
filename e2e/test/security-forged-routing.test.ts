import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeMsgpack } from '@hypha/rpc';
import { npmHarness } from './compat-helpers/npm-client.js';
import { rawSession, type RawSession } from './helpers/raw-socket.js';
import { mintToken, userWith } from './helpers/test-server.js';

// Issue #10 item 1: the router stamps `from`/`to`/`ws`/`user` in segment 1 only; hypha-rpc
// clients merge segment 2 over segment 1, so routing keys planted there would override the
// stamped caller. An anonymous raw socket tries to call alice's protected method by claiming to
// be one of alice's clients in segment 2 (and by planting `ctx`, which the Python client trusts).

const h = npmHarness();
beforeAll(() => h.start());
afterEach(() => h.closeAll());
afterAll(() => h.stop());

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

/** A call frame whose reply callbacks point at the attacker's own connection. */
function callFrame(target: string, method: string, session: string, replyTo: string, extra: Record<string, unknown>, head: Record<string, unknown> = {}): Uint8Array {
  const cb = (name: string) => ({ _rtype: 'method', _rtarget: replyTo, _rmethod: `${session}.${name}` });
  const main = { type: 'method', to: target, method, session, ...head };
  return concat(encodeMsgpack(main), encodeMsgpack({ args: [], with_kwargs: false, promise: { resolve: cb('resolve'), reject: cb('reject') }, ...extra }));
}

/** Waits for the frame answering `session` (resolve or reject) and returns its method and first argument. */
async function answerTo(raw: RawSession, session: string): Promise<{ method: string; value: unknown }> {
  for (;;) {
    const { main, extra } = decodeFrame(await raw.nextBinary(5000));
    const method = String(main.method ?? '');
    if (!method.startsWith(`${session}.`)) continue;
    const args = (extra?.args ?? []) as unknown[];
    return { method, value: args[0] };
  }
}

async function attackerSocket(): Promise<{ raw: RawSession; self: string }> {
  const raw = rawSession(h.server().wsUrl, { client_id: `mallory-${Math.random().toString(36).slice(2, 8)}` });
  const info = await raw.first;
  expect(info.type).toBe('connection_info');
  return { raw, self: `${info.workspace as string}/${info.client_id as string}` };
}

async function aliceWithSecret(): Promise<{ ws: string; victim: string; sibling: string }> {
  const t = h.server();
  const token = mintToken(t.authConfig, userWith('alice', {}));
  const alice = await h.connect({ token, client_id: 'alice-provider' });
  const ws = alice.config.workspace as string;
  await alice.registerService({ id: 'vault', config: { visibility: 'protected' }, read: () => 'top secret' });
  await h.connect({ token, client_id: 'alice-other', workspace: ws });
  return { ws, victim: `${ws}/alice-provider`, sibling: `${ws}/alice-other` };
}

describe('forged routing keys (npm hypha-rpc provider, raw attacker)', () => {
  it('control: without forging, the protected method answers the attacker with a permission error', async () => {
    const { victim } = await aliceWithSecret();
    const { raw, self } = await attackerSocket();
    raw.ws.send(callFrame(victim, 'services.vault.read', 's-control', self, {}));
    const answer = await answerTo(raw, 's-control');
    expect(answer.method).toBe('s-control.reject');
    expect(JSON.stringify(answer.value)).toMatch(/Permission denied for invoking protected method/);
    raw.ws.close();
  });

  for (const key of ['from', 'to', 'ws', 'user', 'ctx'] as const) {
    it(`refuses a frame with '${key}' in segment 2 and never delivers it`, async () => {
      const { ws, victim, sibling } = await aliceWithSecret();
      const { raw, self } = await attackerSocket();
      const planted: Record<string, unknown> = {
        from: sibling,
        to: victim,
        ws,
        user: userWith('alice', { [ws]: 'a' }),
        ctx: { from: sibling, ws, user: userWith('alice', { [ws]: 'a' }) },
      };
      // `from` always rides along for keys that would not open the method on their own.
      const extra = key === 'from' ? { from: sibling } : { from: sibling, [key]: planted[key] };
      raw.ws.send(callFrame(victim, 'services.vault.read', `s-${key}`, self, extra));
      const answer = await answerTo(raw, `s-${key}`);
      expect(answer.method).toBe(`s-${key}.reject`);
      expect(answer.value).not.toBe('top secret');
      expect(JSON.stringify(answer.value)).toMatch(/routing key 'from' in segment 2/);
      raw.ws.close();
    });
  }

  it(`refuses a frame whose only planted key is 'ctx' in segment 2`, async () => {
    const { ws, victim, sibling } = await aliceWithSecret();
    const { raw, self } = await attackerSocket();
    raw.ws.send(callFrame(victim, 'services.vault.read', 's-ctx2', self, { ctx: { from: sibling, ws } }));
    const answer = await answerTo(raw, 's-ctx2');
    expect(answer.method).toBe('s-ctx2.reject');
    expect(JSON.stringify(answer.value)).toMatch(/routing key 'ctx' in segment 2/);
    raw.ws.close();
  });

  it('refuses a planted key however its name is encoded (str8 instead of fixstr)', async () => {
    const { victim, sibling } = await aliceWithSecret();
    const { raw, self } = await attackerSocket();
    const frame = callFrame(victim, 'services.vault.read', 's-str8', self, { zzzz: sibling });
    // Rewrite the fixstr key "zzzz" (0xa4 z z z z) of segment 2 as str8 "from" (0xd9 0x04 f r o m).
    const at = indexOf(frame, [0xa4, 0x7a, 0x7a, 0x7a, 0x7a]);
    const forged = concat(concat(frame.subarray(0, at), new Uint8Array([0xd9, 0x04, 0x66, 0x72, 0x6f, 0x6d])), frame.subarray(at + 5));
    raw.ws.send(forged);
    const answer = await answerTo(raw, 's-str8');
    expect(answer.method).toBe('s-str8.reject');
    expect(JSON.stringify(answer.value)).toMatch(/routing key 'from' in segment 2/);
    raw.ws.close();
  });

  it("strips 'ctx' (which the Python client would trust) and forged keys from segment 1", async () => {
    const sender = await attackerSocket();
    const receiver = await attackerSocket();
    const head = { ctx: { from: 'ws-user-root/x', user: { id: 'root' } }, ws: 'ws-user-root', user: { id: 'root' } };
    sender.raw.ws.send(callFrame(receiver.self, 'services.any.f', 's-ctx1', sender.self, {}, head));
    const { main } = decodeFrame(await receiver.raw.nextBinary(5000));
    expect(main.ctx).toBeUndefined();
    expect(main.from).toBe(sender.self);
    expect(main.ws).toBe(sender.self.split('/')[0]);
    expect((main.user as { id: string }).id).not.toBe('root');
    sender.raw.ws.close();
    receiver.raw.ws.close();
  });

  it('ordinary calls with a segment 2 still work (npm client to npm client)', async () => {
    const { ws } = await aliceWithSecret();
    const token = mintToken(h.server().authConfig, userWith('alice', {}));
    const friend = await h.connect({ token, workspace: ws });
    const svc = await friend.getService(`${ws}/alice-provider:vault`);
    expect(await svc.read()).toBe('top secret');
  });
});

function indexOf(haystack: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('pattern not found');
}
