import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import express from 'express';
import { fetchToAsgi } from '../src/index.js';
import type { AsgiHttpScope, AsgiRequestMessage, AsgiServe } from '../src/index.js';
import { nodeToAsgi } from '../src/node.js';

const te = new TextEncoder();
const td = new TextDecoder();

interface Sent {
  status: number;
  headers: Array<[string, string]>;
  chunks: Uint8Array[];
  ended: boolean;
}

/** Drives `serve` the way the server does: body chunks through receive(), messages collected from send(). */
async function drive(serve: AsgiServe, init: { method?: string; path: string; query?: string; headers?: Array<[string, string]>; body?: Uint8Array[] }): Promise<Sent & { text: string }> {
  const scope: AsgiHttpScope = {
    type: 'http',
    method: init.method ?? 'GET',
    path: init.path,
    query_string: te.encode(init.query ?? ''),
    headers: [['host', 'example.test'], ...(init.headers ?? [])].map(([k, v]) => [te.encode(k), te.encode(v)] as [Uint8Array, Uint8Array]),
    client: ['10.1.2.3', 5555],
    server: ['127.0.0.1', 80],
  };
  const parts = [...(init.body ?? [])];
  let received = 0;
  const receive = async (): Promise<AsgiRequestMessage> => {
    if (received > parts.length) return { type: 'http.disconnect' };
    const body = parts[received] ?? new Uint8Array(0);
    received++;
    return { type: 'http.request', body, more_body: received < parts.length };
  };
  const out: Sent = { status: 0, headers: [], chunks: [], ended: false };
  const send = async (m: any) => {
    expect(out.ended).toBe(false);
    if (m.type === 'http.response.start') {
      out.status = m.status;
      out.headers = m.headers;
    } else {
      expect(out.status).not.toBe(0);
      if (m.body.byteLength) out.chunks.push(new Uint8Array(m.body));
      if (!m.more_body) out.ended = true;
    }
  };
  await serve({ scope, receive, send });
  expect(out.ended).toBe(true);
  return { ...out, text: td.decode(Buffer.concat(out.chunks)) };
}

const header = (r: Sent, name: string) => r.headers.filter(([k]) => k === name).map(([, v]) => v);

/** 4 MiB in 64 KiB chunks with a known hash. */
function payload(): { chunks: Uint8Array[]; sha256: string; size: number } {
  const chunks: Uint8Array[] = [];
  const hash = createHash('sha256');
  for (let i = 0; i < 64; i++) {
    const c = new Uint8Array(64 * 1024).fill(i);
    chunks.push(c);
    hash.update(c);
  }
  return { chunks, sha256: hash.digest('hex'), size: 64 * 64 * 1024 };
}

describe('fetchToAsgi', () => {
  const serve = fetchToAsgi(async (req) => {
    const url = new URL(req.url);
    if (url.pathname === '/hello') {
      const headers = new Headers({ 'content-type': 'application/json' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response(JSON.stringify({ hello: url.searchParams.get('name'), host: url.host, method: req.method }), { headers });
    }
    if (url.pathname === '/hash' && req.method === 'PUT') {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        size += chunk.byteLength;
      }
      return Response.json({ size, sha256: hash.digest('hex'), type: req.headers.get('content-type') });
    }
    if (url.pathname === '/stream') {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i === 3) controller.close();
          else controller.enqueue(te.encode(`part${i++};`));
        },
      });
      return new Response(body, { status: 206, headers: { 'content-type': 'text/plain' } });
    }
    return new Response('nope', { status: 404 });
  });

  it('routes by the app-relative path and passes query, host, status and repeated set-cookie headers', async () => {
    const r = await drive(serve, { path: '/hello', query: 'name=hypha' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ hello: 'hypha', host: 'example.test', method: 'GET' });
    expect(header(r, 'set-cookie')).toEqual(['a=1', 'b=2']);
    expect((await drive(serve, { path: '/other' })).status).toBe(404);
  });

  it('streams the request body from receive() into the handler', async () => {
    const p = payload();
    const r = await drive(serve, { method: 'PUT', path: '/hash', headers: [['content-type', 'application/octet-stream']], body: p.chunks });
    expect(JSON.parse(r.text)).toEqual({ size: p.size, sha256: p.sha256, type: 'application/octet-stream' });
  });

  it('streams the response body as several send() calls', async () => {
    const r = await drive(serve, { path: '/stream' });
    expect(r.status).toBe(206);
    expect(r.chunks.length).toBe(3);
    expect(r.text).toBe('part0;part1;part2;');
  });

  it('rejects a scope that is not HTTP and a handler that returns no Response', async () => {
    await expect(serve({ scope: { type: 'websocket', method: 'GET', path: '/' }, receive: async () => ({ type: 'http.request' }), send: async () => undefined })).rejects.toThrow(/Unsupported ASGI scope type: websocket/);
    const bad = fetchToAsgi((() => 'text') as any);
    await expect(drive(bad, { path: '/' })).rejects.toThrow(/expected a Response/);
  });
});

describe('nodeToAsgi with an express app', () => {
  const app = express();
  app.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id, q: req.query.q, ip: req.ip, host: req.hostname });
  });
  app.post('/json', express.json(), (req, res) => {
    res.status(201).json({ got: req.body });
  });
  app.post('/hash', (req, res) => {
    const hash = createHash('sha256');
    let size = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    req.on('end', () => res.json({ size, sha256: hash.digest('hex') }));
  });
  app.get('/stream', async (_req, res) => {
    res.type('text/plain');
    for (const part of ['one,', 'two,', 'three']) {
      res.write(part);
      await new Promise((r) => setTimeout(r, 5));
    }
    res.end();
  });
  const serve = nodeToAsgi(app);

  it('routes, parses params and query, and sees the client address and host', async () => {
    const r = await drive(serve, { path: '/items/a%20b', query: 'q=1' });
    expect(r.status).toBe(200);
    expect(header(r, 'content-type')[0]).toMatch(/application\/json/);
    expect(JSON.parse(r.text)).toEqual({ id: 'a%20b', q: '1', ip: '10.1.2.3', host: 'example.test' });
  });

  it('parses a JSON body with express.json()', async () => {
    const body = te.encode(JSON.stringify({ x: [1, 2] }));
    const r = await drive(serve, { method: 'POST', path: '/json', headers: [['content-type', 'application/json'], ['content-length', String(body.byteLength)]], body: [body] });
    expect(r.status).toBe(201);
    expect(JSON.parse(r.text)).toEqual({ got: { x: [1, 2] } });
  });

  it('streams an upload without content-length into the app', async () => {
    const p = payload();
    const r = await drive(serve, { method: 'POST', path: '/hash', body: p.chunks });
    expect(JSON.parse(r.text)).toEqual({ size: p.size, sha256: p.sha256 });
  });

  it('streams a chunked response and passes a 404', async () => {
    const r = await drive(serve, { path: '/stream' });
    expect(r.text).toBe('one,two,three');
    expect(r.chunks.length).toBeGreaterThan(1);
    expect(header(r, 'transfer-encoding')).toEqual([]);
    const missing = await drive(serve, { path: '/missing' });
    expect(missing.status).toBe(404);
  });
});
