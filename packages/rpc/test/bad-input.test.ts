/**
 * Bad input never crashes a peer and never loses a call silently: malformed frames, unknown
 * or malformed `_rtype`s, replies for unknown sessions, bad chunk sequences, lost connections.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, RPC } from '../src/index.js';
import { captureLogger } from './helpers/capture-logger.js';
import { WS, ourPeer } from './helpers/peers.js';
import { rawPeer, TestRouter } from './helpers/router.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function setup() {
  const router = new TestRouter();
  const log = captureLogger();
  const ts = ourPeer(router, 'ts', { logger: log.logger });
  const other = ourPeer(router, 'other', { logger: captureLogger().logger });
  cleanups.push(() => ts.close(), () => other.close());
  await ts.register_service(
    {
      id: 'svc',
      config: { visibility: 'public' },
      echo: (v: unknown) => v,
      wait: (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)),
    },
    { notify: false },
  );
  const raw = rawPeer(router, WS, 'raw');
  return { router, log, ts, other, raw };
}

function call(raw: { address: string }, method: string, session: string, args: unknown[] = []) {
  return encodeFrame({ type: 'method', from: raw.address, to: `${WS}/ts`, method, session }, { args, promise: '*', t: 15 });
}

async function rejectionOf(raw: Awaited<ReturnType<typeof setup>>['raw'], frame: Uint8Array, session: string) {
  const before = raw.received.length;
  raw.send(frame);
  const reply = decodeFrame(await raw.next(before));
  expect(reply.main.method).toBe(`${session}.reject`);
  return ((reply.extra!.args as Array<{ _rvalue: string }>)[0]!)._rvalue;
}

describe('malformed frames', () => {
  it('logs garbage bytes and keeps serving', async () => {
    const { router, log, other } = await setup();
    // The router would refuse these; hand them to the peer's connection directly.
    const conn = router.peers.get(`${WS}/ts`)!;
    conn.deliver(new Uint8Array([0xc1, 0x00, 0xff]));
    conn.deliver(new Uint8Array([0x85, 0xa4, 0x74]));
    await new Promise((r) => setTimeout(r, 10));
    const errors = log.messages('error');
    expect(errors.some((m) => m.includes('Dropped malformed frame (3 bytes)') && m.includes('invalid msgpack type byte 0xc1'))).toBe(true);
    expect(errors.some((m) => m.includes('segment 1: truncated'))).toBe(true);
    const svc = await other.get_remote_service(`${WS}/ts:svc`);
    expect(await svc.echo('still alive')).toBe('still alive');
  });

  it('rejects the caller when segment 2 is corrupt but segment 1 names the session', async () => {
    const { raw } = await setup();
    const good = call(raw, 'services.svc.echo', 'S1', ['x']);
    const corrupt = good.subarray(0, good.byteLength - 2);
    const text = await rejectionOf(raw, corrupt, 'S1');
    expect(text).toContain('malformed frame: segment 2');
  });

  it('logs a message without type', async () => {
    const { raw, log } = await setup();
    raw.send(encodeFrame({ from: raw.address, to: `${WS}/ts` }));
    await new Promise((r) => setTimeout(r, 10));
    expect(log.messages('error').some((m) => m.includes('Dropped message without a type'))).toBe(true);
  });
});

describe('values', () => {
  it('passes an unknown _rtype through as a map (spec §5.9)', async () => {
    const { other } = await setup();
    const svc = await other.get_remote_service(`${WS}/ts:svc`);
    expect(await svc.echo({ _rtype: 'mystery', a: 1 })).toEqual({ _rtype: 'mystery', a: 1 });
  });

  it('rejects the call when a known _rtype is malformed', async () => {
    const { raw } = await setup();
    const bad = call(raw, 'services.svc.echo', 'S2', [{ _rtype: 'typedarray', _rvalue: new Uint8Array(4), _rdtype: 'complex128' }]);
    expect(await rejectionOf(raw, bad, 'S2')).toContain('Invalid typedarray value: unsupported dtype complex128');
    const odd = call(raw, 'services.svc.echo', 'S3', [{ _rtype: 'typedarray', _rvalue: new Uint8Array(3), _rdtype: 'float32' }]);
    expect(await rejectionOf(raw, odd, 'S3')).toContain('3 bytes is not a multiple of 4');
    const method = call(raw, 'services.svc.echo', 'S4', [{ _rtype: 'method', _rtarget: 42 }]);
    expect(await rejectionOf(raw, method, 'S4')).toContain('Invalid method value: _rtarget must be a non-empty string');
  });

  it('rejects calls to unknown methods with the reference texts', async () => {
    const { raw } = await setup();
    expect(await rejectionOf(raw, call(raw, 'nope', 'S5'), 'S5')).toContain(`Method not found: ${WS}/raw:nope at ts`);
    expect(await rejectionOf(raw, call(raw, 'services.svc.nope', 'S6'), 'S6')).toContain(
      `Method expired or not found: ${WS}/raw:services.svc.nope`,
    );
    expect(await rejectionOf(raw, call(raw, 'gone.cb', 'S7'), 'S7')).toContain(`Session not found: ${WS}/raw:gone.cb`);
    expect(await rejectionOf(raw, call(raw, 'services.svc.constructor', 'S8'), 'S8')).toContain('services.svc.constructor');
  });

  it('logs a reply for an unknown session', async () => {
    const { raw, log } = await setup();
    raw.send(encodeFrame({ type: 'method', from: raw.address, to: `${WS}/ts`, method: 'nosuch.resolve' }, { args: [1] }));
    await new Promise((r) => setTimeout(r, 10));
    expect(log.messages('warn')).toContain(`Dropped message: Session not found: ${WS}/raw:nosuch.resolve`);
  });

  it("refuses a peer answering another peer's session", async () => {
    const { raw, other } = await setup();
    // `other` waits for ts; raw tries to resolve other's pending session.
    const svc = await other.get_remote_service(`${WS}/ts:svc`);
    const pending = svc.wait(300);
    const session = other.get_session_stats().session_ids[0]!;
    const before = raw.received.length;
    raw.send(encodeFrame({ type: 'method', from: raw.address, to: `${WS}/other`, method: `${session}.resolve`, session: 'R1' }, { args: ['forged'], promise: '*', t: 15 }));
    const reply = decodeFrame(await raw.next(before));
    expect(String((reply.extra!.args as Array<{ _rvalue: string }>)[0]!._rvalue)).toContain('Access denied for method call');
    expect(await pending).toBe(300);
  });
});

describe('chunked messages', () => {
  it('rejects process with missing chunks, naming them', async () => {
    const { other } = await setup();
    const cache = (await other.get_remote_service(`${WS}/ts:built-in`)).message_cache;
    await cache.create('k1', false);
    await cache.set('k1', 2, new Uint8Array(3), false);
    await cache.set('k1', 0, new Uint8Array(3), false);
    await expect(cache.process('k1', false)).rejects.toThrow(/Message k1 is incomplete: missing chunk\(s\) 1/);
  });

  it('rejects bad chunk calls with clear errors', async () => {
    const { other } = await setup();
    const cache = (await other.get_remote_service(`${WS}/ts:built-in`)).message_cache;
    await expect(cache.set('nokey', 0, new Uint8Array(1), false)).rejects.toThrow(/Message with key nokey does not exists/);
    await cache.create('k2', false);
    await expect(cache.create('k2', false)).rejects.toThrow(/Message with the same key \(k2\) already exists/);
    await expect(cache.set('k2', -1, new Uint8Array(1), false)).rejects.toThrow(/Invalid chunk index -1 for message k2/);
    await expect(cache.set('k2', 0, 'text', false)).rejects.toThrow(/Chunk data for message k2 must be binary/);
    await expect(cache.process('k2', false)).rejects.toThrow(/Message k2 is incomplete: no chunks received/);
    await cache.create('k3', false);
    await cache.set('k3', 0, new Uint8Array([0xc1, 0xc1]), false);
    await expect(cache.process('k3', false)).rejects.toThrow(/Failed to decode reassembled message k3: malformed frame/);
    await expect(cache.create('k4', true)).rejects.toThrow(/session does not exist anymore: k4/);
  });

  it('keeps uploads of different senders apart', async () => {
    const { router, other } = await setup();
    const third = ourPeer(router, 'third', { logger: captureLogger().logger });
    cleanups.push(() => third.close());
    const a = (await other.get_remote_service(`${WS}/ts:built-in`)).message_cache;
    const b = (await third.get_remote_service(`${WS}/ts:built-in`)).message_cache;
    await a.create('same', false);
    await b.create('same', false);
    await expect(b.remove('same')).resolves.toBeNull();
    await expect(a.remove('same')).resolves.toBeNull();
  });
});

describe('connection loss', () => {
  it('rejects pending calls with "Connection lost" when the transport closes', async () => {
    const { router, other } = await setup();
    const svc = await other.get_remote_service(`${WS}/ts:svc`);
    const pending = svc.wait(5_000);
    await new Promise((r) => setTimeout(r, 5));
    router.peers.get(`${WS}/other`)!.close('socket gone');
    await expect(pending).rejects.toThrow('Connection lost: socket gone');
    expect(other.get_session_stats().pending_calls).toBe(0);
  });

  it('rejectPendingCalls lets a transport give up explicitly', async () => {
    const { other } = await setup();
    const svc = await other.get_remote_service(`${WS}/ts:svc`);
    const pending = svc.wait(5_000);
    await new Promise((r) => setTimeout(r, 5));
    expect(other.rejectPendingCalls('Connection lost: gave up after 3 attempts')).toBe(1);
    await expect(pending).rejects.toThrow('gave up after 3 attempts');
  });

  it('close() rejects pending calls and later calls fail clearly', async () => {
    const { other } = await setup();
    const svc = await other.get_remote_service(`${WS}/ts:svc`, { _no_retry: true });
    const pending = svc.wait(5_000);
    await new Promise((r) => setTimeout(r, 5));
    other.close();
    await expect(pending).rejects.toThrow('RPC connection closed');
    await expect(svc.echo(1)).rejects.toThrow(/Failed to send the request when calling method \(ws-test\/ts:services.svc.echo\), error: Connection is closed/);
  });

  it('a call to a detached peer gets the router\'s synthetic reject', async () => {
    const { router, other } = await setup();
    const svc = await other.get_remote_service(`${WS}/ts:svc`, { _no_retry: true });
    router.detach(WS, 'ts');
    await expect(svc.echo(1)).rejects.toThrow(`Target peer ${WS}/ts is not connected`);
  });
});

describe('RPC construction', () => {
  it('requires a client id without "/"', () => {
    expect(() => new RPC(null, { client_id: 'a/b' })).toThrow(/client_id is required and must not contain/);
  });
});
