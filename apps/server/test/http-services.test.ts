import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

async function* countTo(n: number) {
  for (let i = 0; i < n; i++) yield { i };
}

let server: RunningServer;
let provider: any;
let ws: string;
let token: string;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, httpBodyLimit: 64 * 1024, httpCallTimeout: 1 });
  provider = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'provider' });
  ws = provider.config.workspace;
  token = await provider.generateToken();
  await provider.registerService({
    id: 'calc',
    config: { visibility: 'public' },
    add: (a: number, b: number) => a + b,
    echo: (x: unknown) => x,
    nested: { deep: { hello: (name: string) => `hi ${name}` } },
    info: { version: '1.0' },
    // hypha-rpc cannot read the parameter names of `async function*`, so return the generator.
    count: (n: number) => countTo(n),
    fail: () => {
      throw new Error('boom');
    },
  });
  await provider.registerService({ id: 'secret', config: { visibility: 'protected' }, whoami: () => 'inside' });
});

afterAll(async () => {
  await provider?.disconnect();
  await server?.close();
});

const url = (path: string) => `${server.url}/${ws}/services/${path}`;

describe('GET calls', () => {
  it('turns query parameters into keyword arguments with number coercion', async () => {
    const res = await fetch(url('calc/add?a=1&b=2.5'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toBe(3.5);
  });

  it('parses query values that start with { as JSON and keeps other strings', async () => {
    const obj = await fetch(url(`calc/echo?x=${encodeURIComponent('{"k":[1,2]}')}`));
    expect(await obj.json()).toEqual({ k: [1, 2] });
    const str = await fetch(url('calc/echo?x=hello&_mode=exact'));
    expect(await str.json()).toBe('hello');
  });

  it('reaches nested functions with a dotted key and returns non-callable members as JSON', async () => {
    expect(await (await fetch(url('calc/nested.deep.hello?name=ann'))).json()).toBe('hi ann');
    expect(await (await fetch(url('calc/info.version'))).json()).toBe('1.0');
    expect(await (await fetch(url('calc/info'))).json()).toEqual({ version: '1.0' });
  });

  it('accepts the client-qualified service id', async () => {
    expect(await (await fetch(url('provider:calc/add?a=4&b=5'))).json()).toBe(9);
  });
});

describe('POST calls', () => {
  it('uses a JSON object as keyword arguments and an array as positional arguments', async () => {
    const kw = await fetch(url('calc/add'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 2, b: 5 }) });
    expect(await kw.json()).toBe(7);
    const pos = await fetch(url('calc/add'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[3, 4]' });
    expect(await pos.json()).toBe(7);
  });

  it('answers a msgpack request with msgpack', async () => {
    const res = await fetch(url('calc/echo'), {
      method: 'POST',
      headers: { 'content-type': 'application/msgpack' },
      body: msgpackEncode({ x: { bytes: new Uint8Array([1, 2, 3]), n: 1 } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/msgpack/);
    const out = msgpackDecode(new Uint8Array(await res.arrayBuffer())) as any;
    expect(out.n).toBe(1);
    expect([...out.bytes]).toEqual([1, 2, 3]);
  });

  it('accepts a gzip-encoded body', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await fetch(url('calc/add'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ a: 20, b: 22 })),
    });
    expect(await res.json()).toBe(42);
  });

  it('treats an empty body as no arguments', async () => {
    const res = await fetch(url('ws/check_status').replace(`/${ws}/`, '/public/'), { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('status');
  });
});

describe('generators', () => {
  it('streams generator results as server-sent events ending with [DONE]', async () => {
    const res = await fetch(url('calc/count?n=3'));
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    expect(text).toBe('data: {"i":0}\n\ndata: {"i":1}\n\ndata: {"i":2}\n\ndata: [DONE]\n\n');
  });

  it('streams concatenated msgpack objects for a msgpack request', async () => {
    const res = await fetch(url('calc/count'), { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body: msgpackEncode({ n: 2 }) });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const { decodeMulti } = await import('@msgpack/msgpack');
    expect([...decodeMulti(bytes)]).toEqual([{ i: 0 }, { i: 1 }]);
  });
});

describe('the manager as service `ws`', () => {
  it('calls manager methods with keyword arguments and describes the manager', async () => {
    const echo = await fetch(`${server.url}/${ws}/services/ws/echo?data=${encodeURIComponent('{"a":1}')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await echo.json()).toEqual({ a: 1 });
    const anonymous = await fetch(`${server.url}/public/services/ws/echo?data=1`);
    expect(anonymous.status).toBe(403);
    const info = await (await fetch(`${server.url}/public/services/ws`)).json();
    // Manager methods carry their schema (reference: @schema_method), parameters without `context`.
    expect(info.echo).toEqual({
      type: 'function',
      function: { name: 'echo', description: expect.any(String), parameters: { type: 'object', properties: { data: expect.any(Object) }, required: ['data'] } },
    });
    expect(info.id).toBe('default');
  });

  it("answers the manager's service info for `~`, and calls its methods there", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const info = await (await fetch(`${server.url}/${ws}/services/~`, { headers })).json();
    expect(info.id).toBe('~');
    expect(info.name).toBe('Default workspace management service');
    const echo = await fetch(`${server.url}/${ws}/services/~/echo?data=7`, { headers });
    expect(await echo.json()).toBe(7);
  });

  it('rejects unknown keyword arguments of a manager method with 400', async () => {
    const res = await fetch(`${server.url}/public/services/ws/echo?nope=1`);
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain('nope');
  });
});

describe('service info and listing', () => {
  it('returns the service info and the list without the workspace prefix', async () => {
    const info = await (await fetch(url('calc'))).json();
    expect(info.id).toBe(`${ws}/provider:calc`);
    const list = await (await fetch(`${server.url}/${ws}/services/`)).json();
    expect(list.map((s: any) => s.id)).toContain('provider:calc');
  });
});

describe('auth', () => {
  it('denies a protected service to an anonymous caller with 403', async () => {
    const res = await fetch(url('secret/whoami'));
    expect(res.status).toBe(403);
    expect((await res.json()).success).toBe(false);
  });

  it('accepts the token as Bearer header, access_token cookie and token query parameter', async () => {
    const bearer = await fetch(url('secret/whoami'), { headers: { authorization: `Bearer ${token}` } });
    expect(await bearer.json()).toBe('inside');
    const cookie = await fetch(url('secret/whoami'), { headers: { cookie: `access_token=${token}` } });
    expect(await cookie.json()).toBe('inside');
    const query = await fetch(url(`secret/whoami?token=${token}`));
    expect(query.status).toBe(200);
  });

  it('answers 401 for an invalid token instead of falling back to anonymous', async () => {
    const res = await fetch(url('calc/add?a=1&b=1'), { headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toMatch(/Invalid token/);
  });
});

describe('errors', () => {
  it('maps unknown services, functions and workspaces to 404', async () => {
    const svc = await fetch(url('nothing/add'));
    expect(svc.status).toBe(404);
    expect((await svc.json()).detail).toMatch(/Service not found/);
    const fn = await fetch(url('calc/missing'));
    expect(fn.status).toBe(404);
    expect((await fn.json()).detail).toBe('missing not found.');
    const wsRes = await fetch(`${server.url}/ws-user-nobody-here/services/calc/add`);
    expect(wsRes.status).toBe(404);
  });

  it('answers 400 for malformed JSON and 415 for an unsupported content type', async () => {
    const bad = await fetch(url('calc/add'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toMatch(/Invalid JSON in request body/);
    const type = await fetch(url('calc/add'), { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect(type.status).toBe(415);
    expect((await type.json()).detail).toMatch(/text\/csv/);
  });

  it('answers 413 for a body over the limit and keeps serving', async () => {
    const big = await fetch(url('calc/echo'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'a'.repeat(100_000) }) });
    expect(big.status).toBe(413);
    expect((await big.json()).detail).toMatch(/exceeds the limit of 65536 bytes/);
    expect(await (await fetch(url('calc/add?a=1&b=1'))).json()).toBe(2);
  });

  it('answers 500 with the remote message when the function throws', async () => {
    const fail = await fetch(url('calc/fail'));
    expect(fail.status).toBe(500);
    expect((await fail.json()).detail).toContain('boom');
  });
});
