import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { encodeFrame, decodeFrame } from '@hypha/rpc';
import { startServer, JwtAuthService } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

const ROOT_TOKEN = 'root-token-for-tests-0123456789abcdef';
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, rootToken: ROOT_TOKEN, jwtSecret: 'test-secret' });
});
afterAll(async () => {
  await server.close();
});

// hypha-rpc's bundled typings list only part of the manager API; the tests call the rest.
const connect = async (extra: Record<string, unknown> = {}): Promise<any> =>
  hyphaWebsocketClient.connectToServer({ server_url: server.url, ...extra });

/** Opens a raw socket, sends `hello`, resolves with the first text reply and the close event. */
function rawSession(hello: string | null) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  const texts: any[] = [];
  const binaries: Uint8Array[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const info = new Promise<any>((resolve) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) binaries.push(new Uint8Array(data as Buffer));
      else {
        const msg = JSON.parse(data.toString());
        texts.push(msg);
        resolve(msg);
      }
    });
  });
  ws.on('open', () => {
    if (hello !== null) ws.send(hello);
  });
  return { ws, texts, binaries, closed, info };
}

async function nextBinary(s: { binaries: Uint8Array[] }): Promise<Uint8Array> {
  for (let i = 0; i < 200; i++) {
    const b = s.binaries.shift();
    if (b) return b;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no binary frame arrived');
}

describe('authentication', () => {
  it('root token and generated tokens log in to the right workspace', async () => {
    const root = await connect({ token: ROOT_TOKEN, workspace: 'ws-user-root' });
    expect(root.config.user.id).toBe('root');
    await root.createWorkspace({ id: 'team-lab', description: 'lab', persistent: true });
    const token = await root.generateToken({ workspace: 'team-lab', permission: 'read_write' });
    const member = await connect({ token });
    expect(member.config.workspace).toBe('team-lab');
    expect(await member.echo('x')).toBe('x');
    const parsed = await member.parseToken(token);
    expect(parsed.scope.workspaces['team-lab']).toBe('rw');
    await member.disconnect();
    await root.disconnect();
    // a user with read_write (not admin, not owner) cannot mint tokens
    const { MemoryEventBus } = await import('@hypha/eventbus');
    const minter = new JwtAuthService({ secret: 'test-secret', kv: new MemoryEventBus() });
    const bobToken = await minter.generateToken(
      { id: 'bob', roles: [], is_anonymous: false, scope: { workspaces: { 'team-lab': 'rw' }, current_workspace: 'team-lab' } },
      600,
    );
    const bob = await connect({ token: bobToken });
    expect(bob.config.workspace).toBe('team-lab');
    await expect(bob.generateToken({})).rejects.toThrow(/Only admin can generate token/);
    await bob.disconnect();
  });

  it('rejects a tampered token with 1008 and an expired token message', async () => {
    const s = rawSession(JSON.stringify({ client_id: 'c-tampered', token: 'eyJhbGciOiJIUzI1NiJ9.e30.bad' }));
    const info = await s.info;
    expect(info.type).toBe('error');
    const closed = await s.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/^Authentication error: /);
  });

  it('closes 1003 for a malformed handshake', async () => {
    const s = rawSession('{not json');
    const closed = await s.closed;
    expect(closed).toEqual({ code: 1003, reason: 'Failed to decode authentication information' });
  });

  it('refuses a workspace name with path characters', async () => {
    const s = rawSession(JSON.stringify({ client_id: 'c-path', workspace: '../etc' }));
    const closed = await s.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toMatch(/Invalid workspace name/);
  });

  it('refuses a workspace that does not exist', async () => {
    const s = rawSession(JSON.stringify({ client_id: 'c-missing', workspace: 'no-such-ws' }));
    const closed = await s.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toMatch(/Failed to establish connection: Workspace no-such-ws does not exist/);
  });
});

describe('routing', () => {
  it('answers a forged from, an unknown target and a non-msgpack frame', async () => {
    const s = rawSession(JSON.stringify({ client_id: 'raw-1' }));
    const info = await s.info;
    expect(info.type).toBe('connection_info');
    const me = `${info.workspace}/raw-1`;
    s.ws.send(encodeFrame({ type: 'method', from: 'other-ws/victim', to: `*/${info.manager_id}`, method: 'services.default.echo', session: 's1' }, { args: [1] }));
    const forged = decodeFrame(await nextBinary(s));
    expect(forged.main.method).toBe('s1.reject');
    expect(String((forged.extra!.args as any[])[0]._rvalue)).toMatch(/Forged sender/);
    s.ws.send(encodeFrame({ type: 'method', from: me, to: 'nobody-here', method: 'services.x.y', session: 's2' }, { args: [] }));
    const unknown = decodeFrame(await nextBinary(s));
    expect(unknown.main.method).toBe('s2.reject');
    expect((unknown.extra!.args as any[])[0]._rvalue).toBe(`Target peer ${info.workspace}/nobody-here is not connected`);
    s.ws.send(Buffer.from([0xc1, 0x00]));
    const closed = await s.closed;
    expect(closed.code).toBe(1003);
    expect(closed.reason).toMatch(/Invalid message: malformed frame/);
    // the server keeps serving others
    const c = await connect();
    expect(await c.echo(5)).toBe(5);
    await c.disconnect();
  });

  it('closes a frame over the size limit and keeps serving', async () => {
    const small = await startServer({ port: 0, quiet: true, maxPayload: 1024 });
    try {
      const ws = new WebSocket(`${small.url.replace('http', 'ws')}/ws`);
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.on('open', () => ws.send(JSON.stringify({ client_id: 'big', padding: 'x'.repeat(2000) })));
      expect(await closed).toBe(1009);
    } finally {
      await small.close();
    }
  });
});

describe('services', () => {
  it('enforces visibility across workspaces', async () => {
    const provider = await connect();
    const ws = provider.config.workspace;
    await provider.registerService({ id: 'pub', config: { visibility: 'public' }, f: () => 'pub' });
    await provider.registerService({ id: 'prot', config: { visibility: 'protected' }, f: () => 'prot' });
    await provider.registerService({ id: 'unl', config: { visibility: 'unlisted' }, f: () => 'unl' });
    const other = await connect();
    expect(await (await other.getService(`${ws}/pub`)).f()).toBe('pub');
    expect(await (await other.getService(`${ws}/unl`)).f()).toBe('unl');
    await expect(other.getService(`${ws}/prot`)).rejects.toThrow(/Permission denied for non-public service/);
    await expect(other.getService(`${ws}/missing`)).rejects.toThrow(/Service not found/);
    const listed = (await other.listServices(ws)).map((s: any) => s.id.split(':')[1]);
    expect(listed.sort()).toEqual(['built-in', 'pub'].sort());
    const own = (await provider.listServices({ workspace: ws }, true)).map((s: any) => s.id.split(':')[1]);
    expect(own).toEqual(expect.arrayContaining(['pub', 'prot', 'unl']));
    await other.disconnect();
    await provider.disconnect();
  });

  it('passes callbacks and removes services of a departed client with events', async () => {
    const provider = await connect();
    const ws = provider.config.workspace;
    await provider.registerService({
      id: 'worker',
      config: { visibility: 'public' },
      run: async (n: number, progress: (i: number) => Promise<void>) => {
        for (let i = 0; i < n; i++) await progress(i);
        return 'done';
      },
    });
    const caller = await connect();
    const seen: number[] = [];
    const svc = await caller.getService(`${ws}/worker`);
    expect(await svc.run(3, (i: number) => { seen.push(i); })).toBe('done');
    expect(seen).toEqual([0, 1, 2]);
    // a watcher in the provider's workspace sees the departure
    const token = await provider.generateToken({});
    const watcher = await connect({ token });
    const gone = new Promise<any>((resolve) => watcher.on('client_disconnected', resolve));
    await watcher.subscribe(['client_disconnected']);
    const providerId = provider.config.client_id;
    await provider.disconnect();
    const event = await gone;
    expect(event.data).toEqual({ id: providerId, workspace: ws });
    await expect(caller.getService(`${ws}/worker`)).rejects.toThrow(/Service not found/);
    await watcher.disconnect();
    await caller.disconnect();
  });
});
