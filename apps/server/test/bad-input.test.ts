import './setup-websocket.js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectSilently } from './silent-client.js';
import { createAuthConfig, generateToken, type UserInfo } from '@hypha/auth';
import { decodeFrame, encodeFrame } from '@hypha/rpc';
import { startServer, type RunningServer } from '../src/index.js';

// Each bad input gets a clear answer while a bystander client keeps being served.

const jwtSecret = randomBytes(24).toString('base64url');
const authConfig = createAuthConfig({ jwtSecret });
let server: RunningServer;
let wsUrl: string;
let bystander: any;
let checks = 0;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, jwtSecret, maxPayload: 1024 * 1024 });
  wsUrl = `${server.url.replace('http', 'ws')}/ws`;
  bystander = await connectSilently({ server_url: server.url, client_id: 'bystander' });
  await bystander.registerService({ id: 'still', config: { visibility: 'public' }, up: () => 'up' });
});
afterAll(async () => {
  await bystander.disconnect();
  await server.close();
});

/** The bystander still answers, both directly and through its service. */
async function bystanderWorks(): Promise<void> {
  checks += 1;
  expect(await bystander.echo(checks)).toBe(checks);
  const svc = await bystander.getService(`${bystander.config.workspace}/still`);
  expect(await svc.up()).toBe('up');
}

function raw(hello: string | Record<string, unknown> | null) {
  const ws = new WebSocket(wsUrl);
  const texts: any[] = [];
  const binaries: Uint8Array[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const first = new Promise<any>((resolve) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) binaries.push(new Uint8Array(data as Buffer));
      else {
        texts.push(JSON.parse(data.toString()));
        resolve(texts[0]);
      }
    });
  });
  ws.on('open', () => {
    if (hello !== null) ws.send(typeof hello === 'string' ? hello : JSON.stringify(hello));
  });
  const nextBinary = async (): Promise<Uint8Array> => {
    for (let i = 0; i < 500; i++) {
      const b = binaries.shift();
      if (b) return b;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no binary frame arrived within 5 s');
  };
  return { ws, first, closed, nextBinary };
}

const user = (id: string, workspaces: UserInfo['scope']['workspaces'], extra: string[] = []): UserInfo => ({
  id,
  roles: [],
  is_anonymous: false,
  email: null,
  parent: null,
  expires_at: null,
  current_workspace: null,
  scope: { workspaces, current_workspace: null, client_id: null, extra_scopes: extra },
});

describe('handshake', () => {
  it('closes 1003 for malformed handshake JSON', async () => {
    const s = raw('{"client_id": "x", oops');
    expect((await s.first).type).toBe('error');
    expect(await s.closed).toEqual({ code: 1003, reason: 'Failed to decode authentication information' });
    await bystanderWorks();
  });

  it('closes 1008 for an expired token', async () => {
    const expired = generateToken(authConfig, user('late', {}), { expiresIn: 60, now: Math.floor(Date.now() / 1000) - 3600 });
    const s = raw({ client_id: 'c-expired', token: expired });
    expect((await s.first).message).toBe('Authentication error: The token has expired. Please fetch a new one');
    expect(await s.closed).toEqual({ code: 1008, reason: 'Authentication error: The token has expired. Please fetch a new one' });
    await bystanderWorks();
  });

  it('closes 1008 for a tampered token', async () => {
    const good = generateToken(authConfig, user('mallory', {}));
    const [h, p, sig] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.scope = 'ws:*#a';
    const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const s = raw({ client_id: 'c-tampered', token: tampered });
    const closed = await s.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/^Authentication error: Invalid token: invalid signature/);
    await bystanderWorks();
  });

  it('refuses a token signed with another secret', async () => {
    const foreign = generateToken(createAuthConfig({ jwtSecret: 'another-secret' }), user('eve', {}));
    const s = raw({ client_id: 'c-foreign', token: foreign });
    expect((await s.closed).code).toBe(1008);
    await bystanderWorks();
  });

  it('refuses a specialized token for /ws', async () => {
    const token = generateToken(authConfig, user('dl', { 'ws-user-dl': 'a' }, ['get_file:ws-user-dl/files:a.txt']));
    const s = raw({ client_id: 'c-special', token });
    const closed = await s.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toMatch(/^Failed to establish connection: Failed to authenticate user: Specialized token/);
    await bystanderWorks();
  });

  it.each(['../etc', 'a/b', 'ws\\x', '..'])('refuses the workspace name %j', async (workspace) => {
    const s = raw({ client_id: 'c-path', workspace });
    const closed = await s.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toContain('Invalid workspace name');
    await bystanderWorks();
  });
});

describe('frames after the handshake', () => {
  it('rejects a forged sender and an unknown target to the caller', async () => {
    const s = raw({ client_id: 'raw-1' });
    const info = await s.first;
    expect(info.type).toBe('connection_info');
    const me = `${info.workspace}/raw-1`;
    s.ws.send(encodeFrame({ type: 'method', from: 'other-ws/victim', to: `*/${info.manager_id}`, method: 'services.default.echo', session: 's1' }, { args: [1] }));
    const forged = decodeFrame(await s.nextBinary());
    expect(forged.main.method).toBe('s1.reject');
    expect(String((forged.extra!.args as any[])[0]._rvalue)).toMatch(/Forged sender/);
    s.ws.send(encodeFrame({ type: 'method', from: me, to: 'nobody-here', method: 'services.x.y', session: 's2' }, { args: [] }));
    const unknown = decodeFrame(await s.nextBinary());
    expect(unknown.main.method).toBe('s2.reject');
    expect((unknown.extra!.args as any[])[0]._rvalue).toBe(`Target peer ${info.workspace}/nobody-here is not connected`);
    await bystanderWorks();
    s.ws.close();
    await s.closed;
  });

  it('closes 1003 for a frame that is not msgpack', async () => {
    const s = raw({ client_id: 'raw-2' });
    expect((await s.first).type).toBe('connection_info');
    s.ws.send(Buffer.from([0xc1, 0x00, 0xff]));
    const closed = await s.closed;
    expect(closed.code).toBe(1003);
    expect(closed.reason).toMatch(/^Invalid message: /);
    await bystanderWorks();
  });

  it('closes 1009 for a frame over the size limit', async () => {
    const s = raw({ client_id: 'raw-3' });
    expect((await s.first).type).toBe('connection_info');
    s.ws.send(Buffer.alloc(2 * 1024 * 1024, 1));
    const closed = await s.closed;
    expect(closed.code).toBe(1009);
    await bystanderWorks();
  });
});
