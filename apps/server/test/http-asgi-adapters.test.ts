import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import express from 'express';
import { connectToServer, fetchToAsgi } from '@hypha/rpc';
import { nodeToAsgi } from '@hypha/rpc/node';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

// Apps registered as `asgi` services by a @hypha/rpc client without a port of their own:
// an express app through nodeToAsgi and a fetch handler (Hono-style) through fetchToAsgi.

let server: RunningServer;
let provider: any;
let ws: string;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function expressApp() {
  const app = express();
  app.get('/hello', (req, res) => {
    res.json({ hello: req.query.name ?? 'world', path: req.path, via: 'express' });
  });
  app.post('/json', express.json(), (req, res) => {
    res.status(201).json({ got: req.body });
  });
  app.post('/upload', (req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
    });
    req.on('end', () => res.json({ bytes, sha256: hash.digest('hex') }));
  });
  app.get('/chunks', async (_req, res) => {
    res.type('text/plain');
    for (const part of ['one,', 'two,', 'three']) {
      res.write(part);
      await new Promise((r) => setTimeout(r, 10));
    }
    res.end();
  });
  return app;
}

const te = new TextEncoder();
const fetchHandler = async (req: Request): Promise<Response> => {
  const url = new URL(req.url);
  if (req.method === 'GET' && url.pathname === '/hello') return Response.json({ hello: url.searchParams.get('name'), via: 'fetch' });
  if (req.method === 'POST' && url.pathname === '/json') return Response.json({ got: await req.json() }, { status: 201 });
  if (req.method === 'POST' && url.pathname === '/upload') {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
    return Response.json({ bytes, sha256: hash.digest('hex') });
  }
  if (url.pathname === '/chunks') {
    const parts = ['one,', 'two,', 'three'];
    return new Response(
      new ReadableStream({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 10));
          const p = parts.shift();
          if (p === undefined) controller.close();
          else controller.enqueue(te.encode(p));
        },
      }),
      { headers: { 'content-type': 'text/plain' } },
    );
  }
  return new Response('not here', { status: 404 });
};

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
  provider = await connectToServer({ server_url: server.url, client_id: 'apps-ts', logger: null } as Parameters<typeof connectToServer>[0]);
  ws = provider.config.workspace;
  await provider.registerService({ id: 'express-app', type: 'asgi', config: { visibility: 'public' }, serve: nodeToAsgi(expressApp()) });
  await provider.registerService({ id: 'fetch-app', type: 'asgi', config: { visibility: 'public' }, serve: fetchToAsgi(fetchHandler) });
});

afterAll(async () => {
  await provider?.disconnect();
  await server?.close();
});

const appUrl = (path: string) => `${server.url}/${ws}/apps/${path}`;

describe.each([
  ['express-app', 'express'],
  ['fetch-app', 'fetch'],
])('%s served through the HTTP surface', (id, via) => {
  it('routes on the app-relative path with the query string', async () => {
    const res = await fetch(appUrl(`${id}/hello?name=hypha`));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.hello).toBe('hypha');
    expect(body.via).toBe(via);
  });

  it('parses a JSON request body and passes the app status', async () => {
    const res = await fetch(appUrl(`${id}/json`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: [1, 2] }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ got: { a: [1, 2] } });
    expect((await fetch(appUrl(`${id}/nothing`))).status).toBe(404);
  });

  it('streams an upload into the app', async () => {
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const res = await fetch(appUrl(`${id}/upload`), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
    expect(await res.json()).toEqual({ bytes: body.byteLength, sha256: sha256(body) });
  });

  it('streams the response back as the app writes it', async () => {
    const res = await fetch(appUrl(`${id}/chunks`));
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const reader = res.body!.getReader();
    const td = new TextDecoder();
    const reads: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      reads.push(td.decode(value));
    }
    expect(reads.join('')).toBe('one,two,three');
    expect(reads.length).toBeGreaterThan(1);
  });
});
