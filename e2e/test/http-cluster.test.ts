import { startServer, type RunningServer } from '@hypha/server';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Two servers sharing one Redis: HTTP requests to server B reach services whose provider is
// connected to server A (over WebSocket or the /rpc HTTP transport).

const prefix = `hypha-e2e-http-${randomUUID()}:`;
let a: RunningServer;
let b: RunningServer;
const clients: any[] = [];

beforeAll(async () => {
  if (!('WebSocket' in globalThis)) (globalThis as Record<string, unknown>).WebSocket = WebSocket;
  const common = { port: 0, quiet: true, redisUri: 'redis://127.0.0.1:6379', redisKeyPrefix: prefix, jwtSecret: `secret-${randomUUID()}` };
  a = await startServer({ ...common, serverId: `a-${randomUUID().slice(0, 8)}` });
  b = await startServer({ ...common, serverId: `b-${randomUUID().slice(0, 8)}` });
});

afterAll(async () => {
  for (const c of clients) await c.disconnect();
  await b?.close();
  // remove what this run left under its prefix (workspace records), then stop the last server
  const leftovers = await a.core.bus.scan('*');
  if (leftovers.length) await a.core.bus.del(...leftovers);
  await a?.close();
});

describe('HTTP surface across instances', () => {
  it('calls a service of a client on server A through server B, with a token', async () => {
    const provider: any = await hyphaWebsocketClient.connectToServer({ server_url: a.url, client_id: 'on-a' });
    clients.push(provider);
    const ws = provider.config.workspace;
    await provider.registerService({
      id: 'private',
      config: { visibility: 'protected' },
      triple: (x: number) => x * 3,
      letters: (s: string) => lettersOf(s),
    });
    const token = await provider.generateToken();
    const denied = await fetch(`${b.url}/${ws}/services/private/triple?x=2`);
    expect(denied.status).toBe(403);
    const ok = await fetch(`${b.url}/${ws}/services/private/triple?x=2`, { headers: { authorization: `Bearer ${token}` } });
    expect(await ok.json()).toBe(6);
    const sse = await fetch(`${b.url}/${ws}/services/private/letters?s=abc`, { headers: { authorization: `Bearer ${token}` } });
    expect(await sse.text()).toBe('data: "a"\n\ndata: "b"\n\ndata: "c"\n\ndata: [DONE]\n\n');
  });
});

async function* lettersOf(s: string) {
  for (const c of s) yield c;
}
