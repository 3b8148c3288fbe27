import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { connectToServer, fetchToAsgi } from '@hypha/rpc';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

// A provider that dies mid-call fails the HTTP call at once (502), although the call timeout is
// far away; a provider that never answers or stops talking gives 504 after `httpCallTimeout`.

describe('a provider that disconnects mid-call', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // A call timeout well beyond the test timeout: only the disconnect can end these calls in time.
    server = await startServer({ port: 0, quiet: true, httpCallTimeout: 120 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('fails a service call with 502 naming the provider', async () => {
    let entered!: () => void;
    const inCall = new Promise<void>((r) => (entered = r));
    const provider = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'doomed' });
    const ws = provider.config.workspace;
    await provider.registerService({
      id: 'slow',
      config: { visibility: 'public' },
      wait: () => {
        entered();
        return new Promise(() => {});
      },
    });
    const pending = fetch(`${server.url}/${ws}/services/slow/wait`);
    await inCall;
    expect(server.websocket.terminate(`${ws}/doomed`)).toBe(true);
    const res = await pending;
    expect(res.status).toBe(502);
    expect((await res.json()).detail).toBe(`The provider ${ws}/doomed of ${ws}/doomed:slow.wait disconnected before answering`);
  });

  it('fails an app request with 502 when the provider leaves before responding', async () => {
    let entered!: () => void;
    const inCall = new Promise<void>((r) => (entered = r));
    const provider: any = await connectToServer({ server_url: server.url, client_id: 'doomed-app', logger: null } as Parameters<typeof connectToServer>[0]);
    const ws = provider.config.workspace;
    await provider.registerService({
      id: 'stuck',
      type: 'asgi',
      config: { visibility: 'public' },
      serve: fetchToAsgi(() => {
        entered();
        return new Promise<Response>(() => {});
      }),
    });
    const pending = fetch(`${server.url}/${ws}/apps/stuck/`);
    await inCall;
    await provider.disconnect();
    const res = await pending;
    expect(res.status).toBe(502);
    expect((await res.json()).detail).toMatch(/doomed-app of app stuck disconnected before answering/);
  });
});

describe('HTTP call timeout', () => {
  let server: RunningServer;
  let provider: any;
  let raw: WebSocket;
  let ws: string;

  beforeAll(async () => {
    server = await startServer({ port: 0, quiet: true, httpCallTimeout: 1 });
    provider = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'never' });
    ws = provider.config.workspace;
    // hypha-rpc keeps sending heartbeats for this call: only the whole-call deadline ends it.
    await provider.registerService({ id: 'never', config: { visibility: 'public' }, hang: () => new Promise(() => {}) });
    raw = await silentProvider(server.url, ws, await provider.generateToken());
  });

  afterAll(async () => {
    raw?.terminate();
    await provider?.disconnect();
    await server?.close();
  });

  it('answers 504 when the function never answers although its client sends heartbeats', async () => {
    const res = await fetch(`${server.url}/${ws}/services/never/hang`);
    expect(res.status).toBe(504);
    expect((await res.json()).detail).toMatch(/^Method call timed out: .*never:never\.hang/);
  });

  it('answers 504 when the provider registered and then went silent', async () => {
    const res = await fetch(`${server.url}/${ws}/services/silent/ask`);
    expect(res.status).toBe(504);
    // The caller's peer asks the provider's built-in service for the description first; that lookup
    // times out, reported by its own 1 s timer or by the RPC call timeout, whichever fires first.
    expect((await res.json()).detail).toMatch(
      /^RpcError: (Timeout Error: Failed to get remote service: .*\/quiet:silent \(no reply within 1s\)|Method call timed out: .*\/quiet:.*\(no reply or heartbeat within 1s\))$/,
    );
  });
});

/**
 * A raw WebSocket client that registers `silent` (with an `ask` function) and then never
 * sends anything again: no replies, no heartbeats.
 */
async function silentProvider(url: string, workspace: string, token: string): Promise<WebSocket> {
  const sock = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  await new Promise<void>((resolve, reject) => {
    sock.once('open', () => resolve());
    sock.once('error', reject);
  });
  const info = await new Promise<Record<string, any>>((resolve) => {
    sock.once('message', (data) => resolve(JSON.parse(data.toString())));
    sock.send(JSON.stringify({ client_id: 'quiet', workspace, token }));
  });
  expect(info.type).toBe('connection_info');
  const resolved = new Set<string>();
  const waiters = new Map<string, () => void>();
  sock.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const text = Buffer.from(data as Buffer).toString('latin1');
    for (const [session, resolve] of waiters) {
      if (text.includes(`${session}.resolve`)) {
        resolved.add(session);
        resolve();
      }
    }
  });
  const register = (session: string, service: Record<string, unknown>) => {
    const done = new Promise<void>((resolve) => waiters.set(session, resolve));
    const main = { type: 'method', from: `${workspace}/quiet`, to: `*/${info.manager_id}`, method: 'services.default.register_service', session };
    sock.send(new Uint8Array([...msgpackEncode(main), ...msgpackEncode({ args: [service], promise: '*', t: 15 })]));
    return done;
  };
  const base = { app_id: '*', description: '', docs: null };
  // A client's services count only once its built-in service is registered (as hypha-rpc does first).
  await register('reg0', {
    ...base,
    id: `${workspace}/quiet:built-in`,
    name: 'built-in',
    type: 'built-in',
    config: { visibility: 'public', require_context: true, api_version: 3, workspace },
    service_schema: { ping: { type: 'function', function: { name: 'ping' } } },
  });
  const registered = register('reg1', {
    ...base,
    id: `${workspace}/quiet:silent`,
    name: 'silent',
    type: 'generic',
    config: { visibility: 'public', workspace },
    service_schema: { ask: { type: 'function', function: { name: 'ask' } } },
  });
  await registered;
  return sock;
}
