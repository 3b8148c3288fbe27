import { connectToServer, type HyphaServer, type Logger } from '@hypha/rpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// @hypha/rpc's reconnection against our real server: the server drops the client's socket
// (no close handshake, like a network failure), repeatedly and soon after each reconnection.

let t: TestServer;
const opened: HyphaServer[] = [];

beforeAll(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  for (const client of opened.splice(0)) await client.disconnect();
});
afterAll(() => t.close());

/** Collects log lines so a failure shows what the client reported. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (level: string) => (message: string, ...details: unknown[]) =>
    lines.push(`${level} ${message} ${details.map((d) => JSON.stringify(d)).join(' ')}`);
  return { lines, debug: () => {}, info: add('info'), warn: add('warn'), error: add('error') };
}

/** Retry `fn` until it resolves (the client reconnects in the background); rethrows the last error. */
async function eventually<T>(fn: () => Promise<T>, what: string, logs: string[], timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${what}: ${String(last)}\nclient log:\n${logs.join('\n')}`);
}

/**
 * Cuts the next socket of `clientId` as soon as it sends its first RPC frame: the reconnected
 * client is then in the middle of re-registering its services.
 */
function cutNextReconnectionWhileRegistering(clientId: string): Promise<void> {
  return new Promise((resolve) => {
    const onConnection = (socket: WebSocket): void => {
      let mine = false;
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          mine ||= (JSON.parse(String(data)) as { client_id?: string }).client_id === clientId;
          return;
        }
        if (!mine) return;
        t.server.websocket.wss.off('connection', onConnection);
        socket.terminate();
        resolve();
      });
    };
    t.server.websocket.wss.on('connection', onConnection);
  });
}

describe('@hypha/rpc reconnection against the server', () => {
  it('survives three drops in a row, each soon after the previous reconnection', async () => {
    const log = recordingLogger();
    // default reconnection settings (settle period, flap control), as applications get them
    const provider = await connectToServer({ server_url: t.url, client_id: 'thrice-dropped', logger: log });
    opened.push(provider);
    const ws = provider.config.workspace;
    let calls = 0;
    await provider.registerService({ id: 'svc', config: { visibility: 'public' }, ping: () => ++calls });
    const caller = await connectToServer({ server_url: t.url, client_id: 'thrice-caller', logger: null });
    opened.push(caller);
    expect(await (await caller.getService(`${ws}/svc`)).ping()).toBe(1);

    for (let drop = 1; drop <= 3; drop++) {
      // the second reconnection is also cut while it re-registers its services
      const cut = drop === 2 ? cutNextReconnectionWhileRegistering('thrice-dropped') : null;
      expect(t.server.websocket.terminate(`${ws}/thrice-dropped`), `drop ${drop}: provider connected`).toBe(true);
      if (cut) await cut;
      // the re-registered service answers again (a lookup right after the drop may still see the old entry)
      const pinged = await eventually(async () => (await caller.getService(`${ws}/svc`)).ping(), `drop ${drop}: service`, log.lines);
      expect(pinged).toBe(drop + 1);
      // and the provider can call out again
      expect(await provider.echo(`after drop ${drop}`)).toBe(`after drop ${drop}`);
    }
    expect(log.lines.filter((l) => l.startsWith('warn Connection lost, reconnecting'))).toHaveLength(4);
  });
});
