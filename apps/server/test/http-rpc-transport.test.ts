import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

let server: RunningServer;
// hypha-rpc 0.21.40's HTTP client leaves an unhandled AbortError (an un-awaited
// `reader.cancel()`) when it aborts its own stream, so these clients are disconnected only after
// the server ended their streams.
const httpClients: any[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
});

afterAll(async () => {
  await server?.close();
  for (const c of httpClients) {
    // wait until the client saw its stream end (no read pending), then disconnect
    await vi.waitFor(() => {
      if (c.rpc._connection?._reader) throw new Error('the client is still reading its stream');
    });
    await c.disconnect();
  }
});

/** Reads length-prefixed frames from a /rpc stream until `count` arrived. */
async function readFrames(res: Response, count: number, cancel = true): Promise<unknown[]> {
  const reader = res.body!.getReader();
  let buf = new Uint8Array(0);
  const out: unknown[] = [];
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    const next = new Uint8Array(buf.length + value.length);
    next.set(buf);
    next.set(value, buf.length);
    buf = next;
    while (buf.length >= 4) {
      const len = new DataView(buf.buffer, buf.byteOffset).getUint32(0);
      if (buf.length < 4 + len) break;
      out.push(msgpackDecode(buf.subarray(4, 4 + len)));
      buf = buf.subarray(4 + len);
    }
  }
  if (cancel) await reader.cancel();
  else reader.releaseLock();
  return out;
}

describe('the npm hypha-rpc HTTP client', () => {
  it('connects over /rpc, registers a service a WebSocket client calls, and calls back', async () => {
    const httpClient: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, transport: 'http', client_id: 'via-http' });
    const ws = httpClient.config.workspace;
    expect(ws).toMatch(/^ws-user-/);
    await httpClient.registerService({
      id: 'http-svc',
      config: { visibility: 'public' },
      double: (x: number) => x * 2,
      withCallback: async (cb: (v: string) => Promise<string>) => `got ${await cb('ping')}`,
    });
    const wsClient: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url });
    const svc = await wsClient.getService(`${ws}/via-http:http-svc`);
    expect(await svc.double(21)).toBe(42);
    expect(await svc.withCallback(async (v: string) => `${v}-pong`)).toBe('got ping-pong');

    await wsClient.registerService({ id: 'ws-svc', config: { visibility: 'public' }, hello: (n: string) => `hello ${n}` });
    const back = await httpClient.getService(`${wsClient.config.workspace}/${wsClient.config.client_id}:ws-svc`);
    expect(await back.hello('http')).toBe('hello http');
    // the HTTP-registered service is also callable over the HTTP service route
    const viaRoute = await fetch(`${server.url}/${ws}/services/via-http:http-svc/double?x=5`);
    expect(await viaRoute.json()).toBe(10);
    await wsClient.disconnect();
    httpClients.push(httpClient);
  });
});

describe('raw /rpc frames', () => {
  it('sends connection_info first and answers ping and refresh_token on the stream', async () => {
    const stream = await fetch(`${server.url}/rpc?client_id=raw1`, { headers: { accept: 'application/x-msgpack-stream' } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('application/x-msgpack-stream');
    const reader = readFrames(stream, 3);
    // wait for the first frame before posting: read it via a second small loop
    await new Promise((r) => setTimeout(r, 50));
    const ws = (await server.core.gateway.allSessions().find((s) => s.clientId === 'raw1'))!.workspace;
    const post = (body: unknown) =>
      fetch(`${server.url}/rpc?client_id=raw1&workspace=${ws}`, { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body: msgpackEncode(body) });
    expect((await post({ type: 'ping' })).status).toBe(200);
    expect((await post({ type: 'refresh_token' })).status).toBe(200);
    const frames = (await reader) as any[];
    expect(frames[0].type).toBe('connection_info');
    expect(frames[0].client_id).toBe('raw1');
    expect(frames[0].workspace).toBe(ws);
    expect(frames[0].manager_id).toBe(server.core.managerId);
    expect(frames[0]).not.toHaveProperty('user');
    expect(frames[1]).toEqual({ type: 'pong' });
    expect(frames[2].type).toBe('reconnection_token');
    expect(typeof frames[2].reconnection_token).toBe('string');
  });

  it('releases the client when the stream is closed by the client', async () => {
    const abort = new AbortController();
    const stream = await fetch(`${server.url}/rpc?client_id=raw2`, { signal: abort.signal });
    const [info] = (await readFrames(stream, 1, false)) as any[];
    expect(info.type).toBe('connection_info');
    const sessions = () => server.core.gateway.allSessions().map((s) => s.id);
    expect(sessions()).toContain(`${info.workspace}/raw2`);
    abort.abort();
    await expect.poll(sessions).not.toContain(`${info.workspace}/raw2`);
  });

  it('rejects bad POSTs with 400 and a message', async () => {
    const noId = await fetch(`${server.url}/rpc`, { method: 'POST', body: new Uint8Array([0x80]) });
    expect(noId.status).toBe(400);
    expect((await noId.json()).detail).toBe('client_id is required');
    // Without a stream the POST is a stateless call in the caller's own workspace.
    const empty = await fetch(`${server.url}/rpc?client_id=x`, { method: 'POST' });
    expect((await empty.json()).detail).toBe('Empty request body');
    const twoSegments = new Uint8Array([...msgpackEncode({ type: 'method', to: 'a:b', method: 'f' }), ...msgpackEncode({ args: [] })]);
    const noStream = await fetch(`${server.url}/rpc?client_id=x`, { method: 'POST', body: twoSegments });
    expect(noStream.status).toBe(400);
    expect((await noStream.json()).detail).toMatch(/No open stream/);
  });

  it('answers 401 for a reconnection token used by another client id', async () => {
    const first: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, transport: 'http', client_id: 'reconnect-owner' });
    const workspace = first.config.workspace;
    const token = first.config.reconnection_token;
    expect(typeof token).toBe('string');
    await first.disconnect();
    const q = new URLSearchParams({ client_id: 'someone-else', workspace, reconnection_token: token });
    const res = await fetch(`${server.url}/rpc?${q}`);
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toMatch(/[Cc]lient id mismatch/);
  });

  it("reconnects with a token generated in an anonymous workspace after that workspace was unloaded", async () => {
    const first: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, transport: 'http', client_id: 'anon-first' });
    const workspace = first.config.workspace;
    expect(workspace).toMatch(/^ws-user-anonymouz-/);
    const token = await first.generateToken();
    await first.disconnect();
    // the anonymous workspace goes away with its last client
    await expect.poll(async () => (await server.core.manager.workspaces.get(workspace)) === null).toBe(true);
    const second: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, transport: 'http', client_id: 'anon-second', workspace, token });
    try {
      expect(second.config.workspace).toBe(workspace);
      // another user's token still cannot bring it back
      const stranger: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'stranger' });
      const strangerToken = await stranger.generateToken();
      await stranger.disconnect();
      const q = new URLSearchParams({ client_id: 'intruder', workspace: 'ws-user-anonymouz-nobody-00000000' });
      const res = await fetch(`${server.url}/rpc?${q}`, { headers: { authorization: `Bearer ${strangerToken}` } });
      expect(res.status).toBe(403);
    } finally {
      await second.disconnect();
    }
  });

  it('answers 401 for an invalid token on GET', async () => {
    const res = await fetch(`${server.url}/rpc?client_id=bad`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect((await res.json()).success).toBe(false);
  });
});
