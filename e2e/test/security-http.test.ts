import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { WebSocket } from 'ws';
import { decodeFrame, encodeMsgpack } from '@hypha/rpc';
import { rawSession } from './helpers/raw-socket.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Issue #10 items 8, 9 and 10 over HTTP: the URL workspace is the one acted on, deep JSON is a
// client error, and a request body is only read once the caller and target are known.

if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;

let t: TestServer;
let aliceToken: string;
let bobToken: string;
let bob: { disconnect(): Promise<void> } & Record<string, any>;

beforeAll(async () => {
  t = await startTestServer();
  aliceToken = mintToken(t.authConfig, userWith('alice', { 'ws-user-alice': 'a' }, 'ws-user-alice'));
  bobToken = mintToken(t.authConfig, userWith('bob', { 'ws-user-bob': 'a' }, 'ws-user-bob'));
  bob = await hyphaWebsocketClient.connectToServer({ server_url: t.url, token: bobToken, client_id: 'bob-http' } as never);
  await bob.registerService({ id: 'echo', config: { visibility: 'protected' }, echo: (v: unknown) => v });
});

afterAll(async () => {
  await bob?.disconnect();
  await t?.close();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('the URL workspace is the one acted on (item 10)', () => {
  for (const manager of ['ws', '~']) {
    it(`a token for workspace A on /B/services/${manager}/… is 403, not an answer for A`, async () => {
      const res = await fetch(`${t.url}/ws-user-bob/services/${manager}/list_services`, { headers: auth(aliceToken) });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/ws-user-alice.*ws-user-bob|ws-user-bob.*ws-user-alice/);
    });
  }

  it('the same token on its own workspace still answers', async () => {
    const res = await fetch(`${t.url}/ws-user-alice/services/ws/list_services`, { headers: auth(aliceToken) });
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
  });

  it("a protected service of B stays 403 for A's token", async () => {
    const res = await fetch(`${t.url}/ws-user-bob/services/bob-http:echo/echo?v=1`, { headers: auth(aliceToken) });
    expect(res.status).toBe(403);
  });

  it('anonymous calls to the public manager keep working', async () => {
    const res = await fetch(`${t.url}/public/services/ws/list_services`);
    expect(res.status).toBe(200);
  });
});

describe('deep JSON (item 9)', () => {
  it('a request body nested 100k deep is a 400 naming the problem', async () => {
    const body = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await fetch(`${t.url}/ws-user-bob/services/bob-http:echo/echo`, {
      method: 'POST',
      headers: { ...auth(bobToken), 'Content-Type': 'application/json' },
      body: `{"v": ${body}}`,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/nested/i);
  });

  it('ordinary JSON bodies still reach the service', async () => {
    const res = await fetch(`${t.url}/ws-user-bob/services/bob-http:echo/echo`, {
      method: 'POST',
      headers: { ...auth(bobToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ v: [[[1, { a: [2] }]]] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([[[1, { a: [2] }]]]);
  });
});

describe('deep arguments over WebSocket (item 9)', () => {
  it('manager arguments nested 5k deep get a clear error and the connection keeps working', async () => {
    const raw = rawSession(t.wsUrl, { client_id: 'deep-sender' });
    const info = await raw.first;
    const self = `${info.workspace as string}/deep-sender`;
    const call = (session: string, argBytes: Uint8Array): Uint8Array => {
      const cb = (name: string) => ({ _rtype: 'method', _rtarget: self, _rmethod: `${session}.${name}` });
      const head = encodeMsgpack({ type: 'method', to: `*/${info.manager_id as string}`, method: 'services.default.echo', session });
      const promise = encodeMsgpack({ resolve: cb('resolve'), reject: cb('reject') });
      const keyArgs = encodeMsgpack('args');
      const keyPromise = encodeMsgpack('promise');
      return concat(head, new Uint8Array([0x82]), keyArgs, new Uint8Array([0x91]), argBytes, keyPromise, promise);
    };
    const depth = 5_000;
    const deep = new Uint8Array(depth + 1).fill(0x91);
    deep[depth] = 0x01;
    raw.ws.send(call('deep1', deep));
    const answer = decodeFrame(await raw.nextBinary(5000));
    expect(answer.main.method).toBe('deep1.reject');
    expect(JSON.stringify(answer.extra?.args)).toMatch(/nested deeper than/);
    raw.ws.send(call('ok1', encodeMsgpack('alive')));
    const ok = decodeFrame(await raw.nextBinary(5000));
    expect(ok.main.method).toBe('ok1.resolve');
    expect((ok.extra?.args as unknown[])[0]).toBe('alive');
    raw.ws.close();
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
