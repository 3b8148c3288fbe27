import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startServer, type RunningServer } from '../src/index.js';

// The context an ASGI app receives for an HTTP request: the caller's user, and the workspace of
// the URL (where the app lives), whoever calls, as in the reference's ASGI routing.

let server: RunningServer;
let provider: any;
let ws = '';
// Calls of the app still running: the response is complete before `serve` returns (its last
// `send` is still awaiting the server's reply), so teardown waits for them before disconnecting.
const serving = new Set<Promise<void>>();

/** An ASGI app answering with the user id and workspace of the context it was called with. */
function whoAmI() {
  const serve = async ({ send }: any, context?: { ws?: string; user?: { id?: string } }) => {
    const body = new TextEncoder().encode(JSON.stringify({ user_id: context?.user?.id ?? null, workspace: context?.ws ?? null }));
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] });
    await send({ type: 'http.response.body', body, more_body: false });
  };
  return (scope: any, context?: { ws?: string; user?: { id?: string } }) => {
    const call = serve(scope, context);
    serving.add(call);
    return call.finally(() => serving.delete(call));
  };
}

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
  provider = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'asgi-context-provider' });
  ws = provider.config.workspace;
  for (const visibility of ['public', 'protected']) {
    await provider.registerService({
      id: `who-${visibility}`,
      type: 'asgi',
      config: { visibility, require_context: true },
      serve: whoAmI(),
    });
  }
});

/** Waits until the server has closed every per-request HTTP peer in the provider's workspace. */
async function requestsSettled(): Promise<void> {
  await Promise.all(serving);
  for (let i = 0; i < 100; i++) {
    const clients: Array<{ id: string }> = await provider.listClients();
    if (!clients.some((c) => c.id.split('/').pop()!.startsWith('http-'))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('HTTP caller peers still open 2 s after the last request');
}

afterAll(async () => {
  if (provider) await requestsSettled();
  await provider?.disconnect();
  await server?.close();
});

describe('the context of an ASGI app', () => {
  it('names the anonymous HTTP user and the URL workspace for a caller without a token', async () => {
    const res = await fetch(`${server.url}/${ws}/apps/who-public/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user_id: 'anonymouz-http', workspace: ws });
  });

  it("names the token's user and the URL workspace for a caller from another workspace", async () => {
    const other: any = await hyphaWebsocketClient.connectToServer({ server_url: server.url, client_id: 'asgi-context-other' });
    try {
      const token = await other.generateToken();
      const res = await fetch(`${server.url}/${ws}/apps/who-public/`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.workspace).toBe(ws);
      // the token's own user (a child token of the other client's user), not the anonymous one
      expect(typeof body.user_id).toBe('string');
      expect(body.user_id).not.toBe('anonymouz-http');
    } finally {
      await other.disconnect();
    }
  });

  it('still refuses a protected app to an anonymous caller', async () => {
    const res = await fetch(`${server.url}/${ws}/apps/who-protected/`);
    expect(res.status).toBe(403);
  });

  it("serves a protected app to its workspace's own token", async () => {
    const token = await provider.generateToken();
    const res = await fetch(`${server.url}/${ws}/apps/who-protected/`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).workspace).toBe(ws);
  });
});
