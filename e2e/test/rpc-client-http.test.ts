import { connectToServer, type HyphaServer } from '@hypha/rpc';
import { startServer, type RunningServer } from '@hypha/server';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { describe, expect, it } from 'vitest';
import { serverPerFile } from './helpers/server-per-file.js';

// @hypha/rpc's HTTP streaming transport (`transport: 'http'`, GET/POST /rpc) against our real
// server, talking to WebSocket clients (ours and the npm hypha-rpc) through it.

const ctx = serverPerFile();

async function connect(config: Record<string, unknown>): Promise<HyphaServer> {
  const server = await connectToServer({ server_url: ctx.server.url, logger: null, ...config });
  ctx.opened.push(server);
  return server;
}

/** A deterministic byte pattern, so the far side can check every byte. */
function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum * 33 + bytes[i]!) >>> 0;
  return sum;
}

const MB = 1024 * 1024;

describe('HTTP streaming transport against the server', () => {
  it('connects over /rpc and gets the manager like a WebSocket client', async () => {
    const http = await connect({ transport: 'http', client_id: 'http-basic' });
    expect(http.config.client_id).toBe('http-basic');
    expect(http.config.workspace).toMatch(/^ws-user-anonymouz-/);
    expect(http.config.manager_id).toMatch(/^manager-/);
    expect(await http.echo({ over: 'http' })).toEqual({ over: 'http' });
  });

  it('serves a service that WebSocket clients (ours and hypha-rpc) call, with callbacks and a multi-MB argument', async () => {
    const http = await connect({ transport: 'http', client_id: 'http-provider' });
    const workspace = http.config.workspace as string;
    await http.registerService({
      id: 'over-http',
      config: { visibility: 'public' },
      add: (a: number, b: number) => a + b,
      map: async (values: number[], fn: (v: number) => Promise<number>) => Promise.all(values.map((v) => fn(v))),
      digest: (bytes: Uint8Array) => ({ length: bytes.length, checksum: checksum(bytes) }),
      reversed: (bytes: Uint8Array) => bytes.slice().reverse(),
    });
    const token = await http.generateToken();
    const ours = await connect({ client_id: 'ws-caller', workspace, token });
    const svc = await ours.getService(`${workspace}/http-provider:over-http`);
    expect(await svc.add(40, 2)).toBe(42);
    expect(await svc.map([1, 2, 3], async (v: number) => v * 100)).toEqual([100, 200, 300]);
    const big = pattern(5 * MB, 7);
    expect(await svc.digest(big)).toEqual({ length: big.length, checksum: checksum(big) });
    const back = (await svc.reversed(pattern(3 * MB, 1))) as Uint8Array;
    expect(back.length).toBe(3 * MB);
    expect(checksum(back)).toBe(checksum(pattern(3 * MB, 1).reverse()));

    const theirs = await hyphaWebsocketClient.connectToServer({
      server_url: ctx.server.url,
      client_id: 'npm-caller',
      workspace,
      token,
      logger: null,
    } as any);
    ctx.opened.push(theirs);
    const viaNpm = await theirs.getService(`${workspace}/http-provider:over-http`);
    expect(await viaNpm.add(1, 2)).toBe(3);
    expect(await viaNpm.map([4], async (v: number) => -v)).toEqual([-4]);
  });

  it("calls a WebSocket client's service with callbacks and multi-MB arguments and results", async () => {
    const provider = await connect({ client_id: 'ws-provider' });
    const workspace = provider.config.workspace as string;
    await provider.registerService({
      id: 'over-ws',
      config: { visibility: 'public' },
      twice: async (x: number, fn: (v: number) => Promise<number>) => fn(await fn(x)),
      digest: (bytes: Uint8Array) => ({ length: bytes.length, checksum: checksum(bytes) }),
      make: (size: number, seed: number) => pattern(size, seed),
      progress: async (steps: number, report: (step: number) => void) => {
        for (let i = 1; i <= steps; i++) await report(i);
        return steps;
      },
    });
    const http = await connect({ transport: 'http', client_id: 'http-caller', workspace, token: await provider.generateToken() });
    expect(http.config.workspace).toBe(workspace);
    const svc = await http.getService(`${workspace}/ws-provider:over-ws`);
    expect(await svc.twice(3, async (v: number) => v + 10)).toBe(23);
    const seen: number[] = [];
    expect(await svc.progress(3, (step: number) => void seen.push(step))).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    const big = pattern(6 * MB, 3);
    expect(await svc.digest(big)).toEqual({ length: big.length, checksum: checksum(big) });
    const made = (await svc.make(4 * MB, 9)) as Uint8Array;
    expect(made.length).toBe(4 * MB);
    expect(checksum(made)).toBe(checksum(pattern(4 * MB, 9)));
  });

  it('reopens the stream after server restarts and re-registers its services each time', async () => {
    const jwtSecret = 'e2e-http-restart-secret-0123456789abcdef';
    let current: RunningServer | null = await startServer({ port: 0, quiet: true, jwtSecret });
    const port = current.port;
    try {
      const http = await connectToServer({
        server_url: current.url,
        transport: 'http',
        client_id: 'http-survivor',
        logger: null,
        reconnect: { base_delay_ms: 20, max_delay_ms: 200 },
      });
      ctx.opened.push(http);
      const workspace = http.config.workspace as string;
      await http.registerService({ id: 'kept', config: { visibility: 'public' }, ok: () => 'still here' });
      for (let restart = 1; restart <= 2; restart++) {
        const reconnected = new Promise<void>((resolve) => http.rpc.once('connected', () => resolve()));
        await current.close();
        current = null;
        current = await startServer({ port, quiet: true, jwtSecret });
        await reconnected;
        expect(http.config.manager_id, `restart ${restart}`).toBe(`manager-${current.serverId}`);
        const caller = await connectToServer({ server_url: current.url, client_id: `ws-caller-${restart}`, logger: null });
        ctx.opened.push(caller);
        expect(await (await caller.getService(`${workspace}/http-survivor:kept`)).ok()).toBe('still here');
        expect(await http.echo(`after restart ${restart}`)).toBe(`after restart ${restart}`);
      }
    } finally {
      for (const client of ctx.opened.splice(0)) await client.disconnect();
      await current?.close();
    }
  });

  it('removes the HTTP client and its services on disconnect()', async () => {
    const http = await connectToServer({ server_url: ctx.server.url, transport: 'http', client_id: 'http-leaving', logger: null });
    await http.registerService({ id: 'temp', config: { visibility: 'public' }, f: () => 1 });
    const workspace = http.config.workspace as string;
    const watcher = await connect({ client_id: 'ws-watcher' });
    expect(await (await watcher.getService(`${workspace}/http-leaving:temp`)).f()).toBe(1);
    await http.disconnect();
    await expect(http.echo('x')).rejects.toThrow(/Connection is closed|RPC connection closed/);
    // no close handshake over HTTP: the server learns of it when the stream's socket closes
    const listed = async () => (await watcher.listServices({ workspace })).map((s) => s.id);
    for (let i = 0; i < 100 && (await listed()).some((id) => id.includes('/http-leaving:')); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await listed()).not.toContain(`${workspace}/http-leaving:temp`);
    await expect(watcher.getService(`${workspace}/http-leaving:temp`)).rejects.toThrow(/not found/i);
  });
});
