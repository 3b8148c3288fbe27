import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

let server: RunningServer;
let provider: any;
let ws: string;
let expressServer: Server;

/** An express app on an ephemeral port, exposed as an ASGI service that forwards each request to it. */
function asgiForward(port: number) {
  return async ({ scope, receive, send }: any) => {
    const dec = new TextDecoder();
    const headers: Record<string, string> = {};
    for (const [k, v] of scope.headers) {
      const name = dec.decode(k);
      if (!['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = dec.decode(v);
    }
    const query = dec.decode(scope.query_string);
    const hasBody = !['GET', 'HEAD'].includes(scope.method);
    const body = hasBody
      ? new ReadableStream({
          async pull(controller) {
            const msg = await receive();
            if (msg.body?.length) controller.enqueue(new Uint8Array(msg.body));
            if (!msg.more_body) controller.close();
          },
        })
      : undefined;
    const res = await fetch(`http://127.0.0.1:${port}${scope.path}${query ? `?${query}` : ''}`, {
      method: scope.method,
      headers,
      body,
      duplex: 'half',
    } as RequestInit);
    const outHeaders: Array<[string, string]> = [];
    res.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)) outHeaders.push([k, v]);
    });
    await send({ type: 'http.response.start', status: res.status, headers: outHeaders });
    const reader = res.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      await send({ type: 'http.response.body', body: value, more_body: true });
    }
    await send({ type: 'http.response.body', body: new Uint8Array(0), more_body: false });
  };
}

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, httpBodyLimit: 1024 * 1024 });
  const app = express();
  app.get('/hello', (req, res) => {
    res.json({ hello: req.query.name ?? 'world', path: req.path });
  });
  app.post('/upload', (req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.json({ bytes, type: req.headers['content-type'] }));
  });
  app.get('/chunks', async (_req, res) => {
    res.type('text/plain');
    for (const part of ['one,', 'two,', 'three']) {
      res.write(part);
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  });
  expressServer = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  provider = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'apps' });
  ws = provider.config.workspace;
  await provider.registerService({
    id: 'web',
    type: 'asgi',
    config: { visibility: 'public' },
    serve: asgiForward((expressServer.address() as AddressInfo).port),
  });
  await provider.registerService({
    id: 'site',
    type: 'functions',
    config: { visibility: 'public' },
    index: () => ({ status: 200, headers: { 'Content-Type': 'text/html' }, body: '<h1>home</h1>' }),
    api: {
      echo: (scope: any) => ({
        status: 201,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: scope.method, query: scope.query_string, body: scope.body ? new TextDecoder().decode(scope.body) : null, user: scope.user.id }),
      }),
      index: () => ({ body: 'api index' }),
    },
    default: (scope: any) => ({ status: 404, body: `no page at ${scope.function_path}` }),
  });
});

afterAll(async () => {
  await provider?.disconnect();
  await server?.close();
  await new Promise((r) => expressServer?.close(r));
});

const appUrl = (path: string) => `${server.url}/${ws}/apps/${path}`;

/** A request whose path is sent exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('functions apps', () => {
  it('serves index, nested functions, path/index and the default fallback with CORS', async () => {
    const home = await fetch(appUrl('site/'), { headers: { origin: 'http://example.org' } });
    expect(home.status).toBe(200);
    expect(await home.text()).toBe('<h1>home</h1>');
    expect(home.headers.get('access-control-allow-origin')).toBe('http://example.org');
    // No credentialed CORS for an origin not listed in --allow-origins (issue #10 item 7).
    expect(home.headers.get('access-control-allow-credentials')).toBeNull();

    const echo = await fetch(appUrl('site/api/echo?x=1'), { method: 'POST', body: 'payload' });
    expect(echo.status).toBe(201);
    expect(await echo.json()).toEqual({ method: 'POST', query: 'x=1', body: 'payload', user: 'anonymouz-http' });

    expect(await (await fetch(appUrl('site/api'))).text()).toBe('api index');
    const fallback = await fetch(appUrl('site/some/page'));
    expect(fallback.status).toBe(404);
    expect(await fallback.text()).toBe('no page at /some/page');
  });

  it('redirects the bare app path to the trailing slash', async () => {
    const res = await fetch(appUrl('site'), { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`/${ws}/apps/site/`);
  });
});

describe('an express app mounted as an asgi service', () => {
  it('answers GET requests through the app', async () => {
    const res = await fetch(appUrl('web/hello?name=hypha'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'hypha', path: '/hello' });
  });

  it('streams a large upload to the app and a chunked response back', async () => {
    const size = 5 * 1024 * 1024;
    const upload = await fetch(appUrl('web/upload'), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(size) });
    expect(await upload.json()).toEqual({ bytes: size, type: 'application/octet-stream' });
    const chunks = await fetch(appUrl('web/chunks'));
    expect(chunks.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await chunks.text()).toBe('one,two,three');
  });

  it('passes the app status through', async () => {
    const res = await fetch(appUrl('web/missing'));
    expect(res.status).toBe(404);
  });
});

describe('bad app requests', () => {
  it('rejects path traversal with 400 and keeps serving', async () => {
    const dotdot = await rawGet(`/${ws}/apps/site/%2e%2e/%2e%2e/etc/passwd`);
    expect(dotdot.status).toBe(400);
    expect(JSON.parse(dotdot.body).detail).toMatch(/Invalid app path/);
    const slash = await rawGet(`/${ws}/apps/site/a%2F..%2Fb`);
    expect(slash.status).toBe(400);
    expect((await fetch(appUrl('site/'))).status).toBe(200);
  });

  it('answers 404 for an unknown workspace or app and 413 for a functions body over the limit', async () => {
    const noWs = await fetch(`${server.url}/ws-user-nobody-x/apps/site/`);
    expect(noWs.status).toBe(404);
    const noApp = await fetch(appUrl('nothing/'));
    expect(noApp.status).toBe(404);
    const big = await fetch(appUrl('site/api/echo'), { method: 'POST', body: new Uint8Array(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
  });
});
