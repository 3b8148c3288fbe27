import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, type HyphaClient } from './cluster-helpers/hypha-clients.js';
import { deletePrefixed } from './cluster-helpers/redis-cli.js';
import { mintToken, startTestServer, strongRootToken, userWith, type TestServer } from './helpers/test-server.js';
import { kw } from './helpers/artifact-clients.js';

// Two in-process servers on one Redis (own key prefix), each with its own public URL and data
// dir. A hypha-rpc client on A calls the built-in services (registered by the server itself
// through `core.builtins`) of B: keyword arguments and the caller's context must arrive intact,
// exactly as when it calls A's own copy.

const REDIS_PORT = 6379;
const PREFIX = `hypha-e2e-builtin-${randomUUID().slice(0, 8)}:`;

interface Seen {
  server: string;
  args: unknown[];
  ws: unknown;
  from: unknown;
  user: unknown;
}

/** A built-in service that reports what it received: its named parameters and the context. */
function echoService(serverId: string) {
  return {
    id: 'context-echo',
    name: 'Context echo',
    config: { visibility: 'public', require_context: true },
    echo: (first: unknown, second: unknown, third: unknown, context: Record<string, any>): Seen => ({
      server: serverId,
      args: [first, second, third],
      ws: context.ws,
      from: context.from,
      user: context.user?.id,
    }),
  };
}

describe('built-in services of another instance', () => {
  const pool = new ClientPool();
  const dirs: string[] = [];
  let a: TestServer;
  let b: TestServer;
  let client: HyphaClient;
  let ws: string;
  let clientId: string;
  let userId: string;
  let token: string;

  beforeAll(async () => {
    const shared = {
      redisUri: `redis://127.0.0.1:${REDIS_PORT}`,
      redisKeyPrefix: PREFIX,
      jwtSecret: randomBytes(24).toString('base64url'),
      rootToken: strongRootToken(),
    };
    const start = async (name: string) => {
      const dataDir = await mkdtemp(join(tmpdir(), `hypha-e2e-builtin-${name}-`));
      dirs.push(dataDir);
      return startTestServer({ ...shared, dataDir, serverId: `bi-${name}-${randomUUID().slice(0, 8)}` });
    };
    a = await start('a');
    b = await start('b');
    await Promise.all([a.server.artifacts!.ready, b.server.artifacts!.ready]);
    for (const s of [a, b]) await s.server.core.builtins.register(echoService(s.server.serverId));
    // A registered user (not root): a call relayed by the manager would run as root instead.
    userId = `alice-${randomUUID().slice(0, 8)}`;
    token = mintToken(a.authConfig, userWith(userId, {}));
    clientId = `caller-${randomUUID().slice(0, 8)}`;
    client = await pool.connect(a.url, { client_id: clientId, token });
    ws = client.config.workspace;
  }, 60_000);

  afterAll(async () => {
    await pool.disconnectAll();
    await b?.close();
    await a?.close();
    await deletePrefixed(REDIS_PORT, PREFIX);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }, 30_000);

  const echoOf = (s: TestServer) => client.getService(`public/builtin-${s.server.serverId}:context-echo`);

  it.each([
    ['its own instance', () => a],
    ['the other instance', () => b],
  ])('passes keyword and positional arguments and the caller context to %s', async (_label, host) => {
    const echo = await echoOf(host());
    const expectedContext = { ws, from: `${ws}/${clientId}`, user: userId };
    expect(await echo.echo(kw({ third: 3, first: 'one' }))).toEqual({
      server: host().server.serverId,
      args: ['one', null, 3],
      ...expectedContext,
    });
    expect(await echo.echo('p1', 'p2')).toEqual({
      server: host().server.serverId,
      args: ['p1', 'p2', null],
      ...expectedContext,
    });
  });

  it('passes keyword arguments and the caller context to a client service hosted through the other instance', async () => {
    const providerId = `provider-${randomUUID().slice(0, 8)}`;
    const provider = await pool.connect(b.url, { client_id: providerId, token, workspace: ws });
    await provider.registerService({ ...echoService('client-on-b'), id: 'client-echo' });
    const echo = await client.getService(`${ws}/${providerId}:client-echo`);
    expect(await echo.echo(kw({ second: 'two' }))).toEqual({
      server: 'client-on-b',
      args: [null, 'two', null],
      ws,
      from: `${ws}/${clientId}`,
      user: userId,
    });
  });

  it("calls the other instance's artifact manager with keyword arguments in the caller's workspace", async () => {
    const am = await client.getService(`public/builtin-${b.server.serverId}:artifact-manager`);
    const created = await am.create(kw({ alias: 'via-b', manifest: { name: 'Via B' }, stage: true }));
    expect(created.alias).toBe('via-b');
    expect(created.workspace).toBe(ws);
    const read = await am.read('via-b', false, null, true);
    expect(read.id).toBe(created.id);
    expect(read.manifest.name).toBe('Via B');
    const upload = await am.put_file_start_multipart(kw({ artifact_id: 'via-b', file_path: 'big.bin', part_count: 2 }));
    expect(upload.parts.map((p: { part_number: number }) => p.part_number)).toEqual([1, 2]);
  });

  it('finds either copy under the short id and calls it correctly', async () => {
    const servers: string[] = [];
    for (const mode of ['first', 'last']) {
      const echo = await client.getService('public/context-echo', { mode });
      const seen = (await echo.echo(kw({ first: mode }))) as Seen;
      expect(seen).toMatchObject({ args: [mode, null, null], ws, from: `${ws}/${clientId}`, user: userId });
      servers.push(seen.server);
    }
    expect(servers.sort()).toEqual([a.server.serverId, b.server.serverId].sort());
  });
});
