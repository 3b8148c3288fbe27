import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, ClientPool, type Server } from './helpers/clients.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// The server with both clients: the unmodified npm hypha-rpc and @hypha/rpc's connectToServer.

let t: TestServer;
const pool = new ClientPool(() => t.url);

beforeAll(async () => {
  t = await startTestServer();
});
afterEach(() => pool.closeAll());
afterAll(() => t.close());

const serviceIds = (services: Array<{ id: string }>) => services.map((s) => s.id.split(':')[1]).sort();

describe.each(CLIENT_KINDS)('%s client', (kind) => {
  const connect = (config: Record<string, unknown> = {}) => pool.connect(kind, config);

  it('logs in anonymously into its own workspace and with a token into the token workspace', async () => {
    const anon = await connect();
    expect(anon.config.workspace).toMatch(/^ws-user-anonymouz-/);
    expect(anon.config.user.is_anonymous).toBe(true);
    expect(await anon.echo({ k: [1, 2] })).toEqual({ k: [1, 2] });

    const root = await connect({ token: t.rootToken });
    expect(root.config.user.id).toBe('root');
    expect(root.config.workspace).toBe('ws-user-root');
    const ws = `lab-${kind === 'hypha-rpc' ? 'npm' : 'ts'}-login`;
    await root.createWorkspace({ id: ws, description: 'login test' }, true);
    const token = await root.generateToken({ workspace: ws, permission: 'read_write' });
    const member = await connect({ token });
    expect(member.config.workspace).toBe(ws);
    expect(member.config.user.is_anonymous).toBe(false);
    expect(member.config.user.parent).toBe('root');
    expect(await member.echo('x')).toBe('x');
  });

  it('enforces public, protected and unlisted visibility and authorized_workspaces', async () => {
    const provider = await connect();
    const ws = provider.config.workspace;
    const other = await connect();
    const friend = await connect();
    await provider.registerService({ id: 'pub', config: { visibility: 'public' }, f: () => 'pub' });
    await provider.registerService({ id: 'prot', config: { visibility: 'protected' }, f: () => 'prot' });
    await provider.registerService({ id: 'unl', config: { visibility: 'unlisted' }, f: () => 'unl' });
    await provider.registerService({
      id: 'shared',
      config: { visibility: 'protected', authorized_workspaces: [friend.config.workspace] },
      f: () => 'shared',
    });

    expect(await (await other.getService(`${ws}/pub`)).f()).toBe('pub');
    expect(await (await other.getService(`${ws}/unl`)).f()).toBe('unl');
    await expect(other.getService(`${ws}/prot`)).rejects.toThrow(/Permission denied for non-public service/);
    await expect(other.getService(`${ws}/shared`)).rejects.toThrow(/Permission denied/);
    expect(await (await friend.getService(`${ws}/shared`)).f()).toBe('shared');
    await expect(other.getService(`${ws}/missing`)).rejects.toThrow(/Service not found/);

    expect(serviceIds(await other.listServices(ws))).toEqual(['built-in', 'pub']);
    expect(serviceIds(await provider.listServices({ workspace: ws }, true))).toEqual(
      expect.arrayContaining(['pub', 'prot', 'unl', 'shared']),
    );
    // in its own workspace a protected service is reachable
    expect(await (await provider.getService('prot')).f()).toBe('prot');
    await expect(
      provider.registerService({ id: 'bad', config: { visibility: 'public', authorized_workspaces: ['x'] }, f: () => 1 }),
    ).rejects.toThrow(/authorized_workspaces can only be set when visibility is 'protected'/);
  });

  it('gets services across workspaces only with permission', async () => {
    // A registered owner: root's child tokens would carry root's admin role (as in the reference).
    const tag = kind === 'hypha-rpc' ? 'npm' : 'ts';
    const owner = await connect({ token: mintToken(t.authConfig, userWith(`owner-${tag}`, {})) });
    const ws = `team-${tag}-perm`;
    await owner.createWorkspace({ id: ws, description: 'perm' }, true);
    const writerToken = await owner.generateToken({ workspace: ws, permission: 'read_write' });
    const writer = await connect({ token: writerToken });
    await writer.registerService({ id: 'calc', config: { visibility: 'protected' }, add: (a: number, b: number) => a + b });

    const outsider = await connect();
    await expect(outsider.getService(`${ws}/calc`)).rejects.toThrow(/Permission denied/);
    const readerToken = await owner.generateToken({ workspace: ws, permission: 'read' });
    const reader = await connect({ token: readerToken });
    expect(await (await reader.getService(`${ws}/calc`)).add(2, 3)).toBe(5);
    // read permission cannot register services in that workspace
    await expect(reader.registerService({ id: 'nope', f: () => 1 })).rejects.toThrow(/Permission denied/);
    // read_write is not admin: no token minting
    await expect(writer.generateToken({})).rejects.toThrow(/Only admin can generate token/);
  });

  it('passes callbacks both ways', async () => {
    const provider = await connect();
    await provider.registerService({
      id: 'worker',
      config: { visibility: 'public' },
      run: async (n: number, progress: (i: number) => Promise<unknown>) => {
        const acks = [];
        for (let i = 0; i < n; i++) acks.push(await progress(i));
        return acks;
      },
      makeAdder: (base: number) => (x: number) => base + x,
    });
    const caller = await connect();
    const svc = await caller.getService(`${provider.config.workspace}/worker`);
    const seen: number[] = [];
    expect(await svc.run(3, (i: number) => { seen.push(i); return i * 10; })).toEqual([0, 10, 20]);
    expect(seen).toEqual([0, 1, 2]);
    const add5 = await svc.makeAdder(5);
    expect(await add5(4)).toBe(9);
  });

  it('streams sync and async generators', async () => {
    const provider = await connect();
    await provider.registerService({
      id: 'gen',
      config: { visibility: 'public' },
      *count(n: number) {
        for (let i = 0; i < n; i++) yield i;
      },
      async *ticks(n: number) {
        for (let i = 0; i < n; i++) {
          await new Promise((r) => setTimeout(r, 1));
          yield { tick: i };
        }
      },
    });
    const caller = await connect();
    const svc = await caller.getService(`${provider.config.workspace}/gen`);
    const counted: number[] = [];
    for await (const v of await svc.count(4)) counted.push(v);
    expect(counted).toEqual([0, 1, 2, 3]);
    const ticks: unknown[] = [];
    for await (const v of await svc.ticks(3)) ticks.push(v);
    expect(ticks).toEqual([{ tick: 0 }, { tick: 1 }, { tick: 2 }]);
  });

  it('removes the services of a departed client and emits client_disconnected and service_removed', async () => {
    const provider = await connect();
    const ws = provider.config.workspace;
    await provider.registerService({ id: 'leaving', config: { visibility: 'public' }, f: () => 1 });
    const token = await provider.generateToken({});
    const watcher = await connect({ token });
    expect(watcher.config.workspace).toBe(ws);
    const events: Array<{ type: string; data: any }> = [];
    const removed = new Promise<void>((resolve) => {
      watcher.on('service_removed', (e: any) => {
        events.push({ type: 'service_removed', data: e });
        if (String(e.data?.id ?? e.id ?? '').endsWith(':leaving')) resolve();
      });
    });
    const gone = new Promise<any>((resolve) => watcher.on('client_disconnected', resolve));
    await watcher.subscribe(['client_disconnected', 'service_removed']);
    const providerId = provider.config.client_id;
    await provider.disconnect();
    expect((await gone).data).toEqual({ id: providerId, workspace: ws });
    await removed;
    const other = await connect();
    await expect(other.getService(`${ws}/leaving`)).rejects.toThrow(/Service not found/);
    expect(serviceIds(await watcher.listServices({ workspace: ws }))).not.toContain('leaving');
  });

  it('generates, parses and revokes tokens', async () => {
    const owner = await connect();
    const ws = owner.config.workspace;
    const token = await owner.generateToken({ permission: 'read', expires_in: 600 });
    const parsed = await owner.parseToken(token);
    expect(parsed.scope.workspaces[ws]).toBe('r');
    expect(parsed.scope.current_workspace).toBe(ws);
    expect(parsed.parent).toBe(owner.config.user.id);
    const reader = await connect({ token });
    expect(reader.config.workspace).toBe(ws);
    await owner.revokeToken(token);
    await expect(owner.parseToken(token)).rejects.toThrow(/Token has been revoked/);
    await expect(connect({ token })).rejects.toThrow(/Token has been revoked/);
    await expect(owner.parseToken('not-a-token')).rejects.toThrow(/Invalid token/);
  });

  it('creates, lists, describes and deletes workspaces', async () => {
    const userToken = mintToken(t.authConfig, userWith(`alice-${kind === 'hypha-rpc' ? 'npm' : 'ts'}`, {}));
    const alice = await connect({ token: userToken });
    const id = `alice-${kind === 'hypha-rpc' ? 'npm' : 'ts'}-project`;
    const created = await alice.createWorkspace({ id, description: 'a project' });
    expect(created.id).toBe(id);
    expect(created.owners).toContain(alice.config.user.id);
    expect((await alice.listWorkspaces()).map((w: any) => w.id)).toContain(id);
    const info = await alice.getWorkspaceInfo(id);
    expect(info.description).toBe('a project');
    await expect(alice.createWorkspace({ id: 'bad/../name' })).rejects.toThrow(/Invalid workspace name/);
    const anon = await connect();
    await expect(anon.createWorkspace({ id: 'anon-space' })).rejects.toThrow(/Only registered user can create workspace/);
    await expect(anon.deleteWorkspace(id)).rejects.toThrow(/Permission denied/);
    await alice.deleteWorkspace(id);
    expect((await alice.listWorkspaces()).map((w: any) => w.id)).not.toContain(id);
  });

  it('delivers custom events to subscribers in the workspace', async () => {
    const a = await connect();
    const token = await a.generateToken({});
    const b: Server = await connect({ token });
    const received = new Promise<any>((resolve) => b.on('greeting', resolve));
    await b.subscribe(['greeting']);
    await a.emit({ type: 'greeting', to: '*', data: { hello: 'world' } });
    const event = await received;
    expect(event.data ?? event).toEqual({ hello: 'world' });
  });
});
