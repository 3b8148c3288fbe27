import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { startTestServer, strongRootToken, type TestServer } from './helpers/test-server.js';
// Also installs the `ws` WebSocket as the global one hypha-rpc needs on Node 20.
import type { NpmServer } from './compat-helpers/npm-client.js';
import './compat-helpers/npm-client.js';

// Both official clients skip the first `manager_refreshed` after a reconnect, so their
// workspace-manager proxy keeps the manager id of the first connection. A single-instance server
// on embedded defaults with a data dir therefore keeps its generated server id (and manager id)
// across restarts, in <data-dir>/server-id.

const dirs: string[] = [];
const servers: TestServer[] = [];
const clients: NpmServer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hypha-restart-'));
  dirs.push(dir);
  return dir;
}

async function start(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const t = await startTestServer(options);
  servers.push(t);
  return t;
}

async function stop(t: TestServer): Promise<void> {
  servers.splice(servers.indexOf(t), 1);
  await t.close();
}

/** Retry `fn` until it resolves (the client reconnects in the background); rethrows the last error. */
async function eventually<T>(fn: () => Promise<T>, attempts = 200, pauseMs = 100): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
  throw last;
}

describe('server id across restarts', () => {
  it('keeps the generated id in the data dir, so a reconnected npm hypha-rpc client still reaches the manager', async () => {
    const dir = await dataDir();
    const secrets = { jwtSecret: randomBytes(24).toString('base64url'), rootToken: strongRootToken(), dataDir: dir, artifacts: false as const };
    const first = await start({ ...secrets });
    const port = first.server.port;
    const firstId = first.server.serverId;
    expect((await readFile(join(dir, 'server-id'), 'utf8')).trim()).toBe(firstId);

    const api = (await hyphaWebsocketClient.connectToServer({
      server_url: first.url,
      method_timeout: 5,
      logger: null,
    } as Parameters<typeof hyphaWebsocketClient.connectToServer>[0])) as NpmServer;
    clients.push(api);
    expect(await api.echo('before')).toBe('before');

    await stop(first);
    const second = await start({ ...secrets, port });
    expect(second.server.serverId).toBe(firstId);
    expect(second.server.core.managerId).toBe(`manager-${firstId}`);
    expect(await eventually(() => api.echo('after restart'))).toBe('after restart');
  });

  it('lets a configured server id win and does not persist it', async () => {
    const dir = await dataDir();
    const t = await start({ dataDir: dir, serverId: 'configured-id', artifacts: false });
    expect(t.server.serverId).toBe('configured-id');
    await expect(readFile(join(dir, 'server-id'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a data dir whose server-id file does not hold an id, naming the file', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'server-id'), 'not an id!\n');
    await expect(start({ dataDir: dir, artifacts: false })).rejects.toThrow(/server-id holds "not an id!"/);
  });
});
