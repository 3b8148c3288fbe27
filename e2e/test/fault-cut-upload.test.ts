import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitFor } from './cluster-helpers/poll.js';

// Issue #10 item 12: a 50 MB argument (sent in chunks by npm hypha-rpc) is cut off half-way: the
// caller's socket drops. The server stays healthy, other clients are not disturbed, and the
// memory the transfer used is given back.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
let t: TestServer;
const pool = new ClientPool(() => t.url);

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await pool.closeAll();
  await t?.close();
}, 30_000);

async function settledMemory(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

describe('a 50 MB argument cut off mid-way', () => {
  it('leaves the server healthy, the other clients served and no memory held', async () => {
    // Warm up both client kinds and the server's paths before the baseline.
    const bystander = await pool.connect('hypha-rpc');
    await bystander.registerService({ id: 'echo', config: { visibility: 'public' }, echo: (x: unknown) => x });
    const watcher = await pool.connect('hypha-rpc');
    const echo = await watcher.getService(`${bystander.config.workspace as string}/echo`);
    expect(await echo.echo(new Uint8Array(MB))).toHaveLength(MB);
    const baseline = await settledMemory();

    let received = 0;
    {
      const provider: Server = await pool.connect('hypha-rpc');
      await provider.registerService({
        id: 'sink',
        config: { visibility: 'public' },
        take: (bytes: Uint8Array) => {
          received = bytes.byteLength;
          return bytes.byteLength;
        },
      });
      const uploader: Server = await pool.connect('hypha-rpc', { method_timeout: 15 });
      const sink = await uploader.getService(`${provider.config.workspace as string}/sink`);
      const routedBefore = t.server.core.router.stats.routed;
      const upload = sink.take(new Uint8Array(50 * MB).fill(7)).then(
        () => 'resolved',
        (err: Error) => err.message,
      );
      // About 10 MB on the way (256 KiB chunks), then the uploader's socket drops; it reconnects,
      // and its call fails (at its method timeout: hypha-rpc keeps calls across a reconnection).
      await waitFor('the upload to be under way', () => (t.server.core.router.stats.routed - routedBefore >= 40 ? true : undefined), { timeoutMs: 30_000, intervalMs: 5 });
      expect(t.server.websocket.terminate(`${uploader.config.workspace as string}/${uploader.config.client_id as string}`)).toBe(true);
      const outcome = await upload;
      expect(outcome).not.toBe('resolved');
      expect(received).toBe(0);

      // The server stays healthy and the other clients are served, with large values too.
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
      for (let i = 0; i < 5; i++) expect(await echo.echo(i)).toBe(i);
      expect(await echo.echo(new Uint8Array(2 * MB))).toHaveLength(2 * MB);
      await uploader.disconnect();
      await provider.disconnect();
    }
    // Neither the server nor the departed clients keep the transfer.
    const after = await waitFor('memory to come back', async () => {
      const now = await settledMemory();
      return now - baseline < 20 * MB ? now : undefined;
    }, { timeoutMs: 20_000, intervalMs: 500 });
    console.info(JSON.stringify({ measured: 'memory-after-cut-upload', baseline_mb: Math.round(baseline / MB), after_mb: Math.round(after / MB) }));
    expect(t.server.websocket.connectedCount).toBe(2);
  }, 120_000);
});
