import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { npmHarness } from './compat-helpers/npm-client.js';
import { rawSession } from './helpers/raw-socket.js';
import { mintToken, userWith } from './helpers/test-server.js';

// Issue #10 items 2, 3 and 6: workspace env values only for read_write callers, a token mints
// tokens of its own permission or lower, and revocation is for the token's owner or a workspace
// admin and also ends the reconnection tokens of the connections the token opened.

const h = npmHarness();
beforeAll(() => h.start());
afterEach(() => h.closeAll());
afterAll(() => h.stop());

const failure = (p: Promise<unknown>): Promise<Error | null> => p.then(() => null, (e: unknown) => e as Error);
const aliceToken = () => mintToken(h.server().authConfig, userWith('alice', {}));

describe('get_workspace_info env values (item 2)', () => {
  it('are shown to read_write callers and hidden from others', async () => {
    const alice = await h.connect({ token: aliceToken() });
    await alice.setEnv('API_KEY', 'sekret');
    const own = await alice.getWorkspaceInfo('ws-user-alice');
    expect(own.config.environs).toEqual({ API_KEY: 'sekret' });
    const stranger = await h.connect();
    const seen = await stranger.getWorkspaceInfo('ws-user-alice');
    expect(JSON.stringify(seen)).not.toContain('sekret');
    const reader = await h.connect({ token: await alice.generateToken({ permission: 'read' }), workspace: 'ws-user-alice' });
    expect(JSON.stringify(await reader.getWorkspaceInfo('ws-user-alice'))).not.toContain('sekret');
  });
});

describe('minting tokens (item 3)', () => {
  it('a read-only token cannot mint an admin (or any) token, though its parent owns the workspace', async () => {
    const alice = await h.connect({ token: aliceToken() });
    const readOnly = await alice.generateToken({ permission: 'read' });
    const reader = await h.connect({ token: readOnly, workspace: 'ws-user-alice' });
    const err = await failure(reader.generateToken({ permission: 'admin' }));
    expect(err?.message).toMatch(/Only admin can generate token|permission/i);
    const rw = await h.connect({ token: await alice.generateToken({ permission: 'read_write' }), workspace: 'ws-user-alice' });
    expect((await failure(rw.generateToken({ permission: 'admin' })))?.message).toMatch(/Only admin can generate token|permission/i);
  });

  it('an admin token still mints tokens', async () => {
    const alice = await h.connect({ token: aliceToken() });
    const admin = await h.connect({ token: await alice.generateToken({ permission: 'admin' }), workspace: 'ws-user-alice' });
    expect(typeof (await admin.generateToken({ permission: 'read' }))).toBe('string');
  });
});

describe('revoking tokens (item 6)', () => {
  it("nobody but the token's owner or a workspace admin may revoke it", async () => {
    const alice = await h.connect({ token: aliceToken() });
    const token = await alice.generateToken({ permission: 'read_write' });
    const stranger = await h.connect();
    const err = await failure(stranger.revokeToken(token));
    expect(err?.message).toMatch(/Permission denied/);
    const still = await h.connect({ token, workspace: 'ws-user-alice' });
    expect(still.config.workspace).toBe('ws-user-alice');
    await alice.revokeToken(token);
    expect((await failure(h.connect({ token, workspace: 'ws-user-alice' })))?.message).toMatch(/revoked/i);
  });

  it('revoking a token ends the reconnection tokens of the connections it opened', async () => {
    const alice = await h.connect({ token: aliceToken() });
    const token = await alice.generateToken({ permission: 'read_write' });
    const first = rawSession(h.server().wsUrl, { client_id: 'derived', workspace: 'ws-user-alice', token });
    const info = await first.first;
    expect(info.type).toBe('connection_info');
    const reconnection = info.reconnection_token as string;
    expect(typeof reconnection).toBe('string');
    first.ws.close();
    await first.closed;
    await alice.revokeToken(token);
    const again = rawSession(h.server().wsUrl, { client_id: 'derived', workspace: 'ws-user-alice', reconnection_token: reconnection });
    const answer = await again.first;
    expect(answer.type).toBe('error');
    expect(String(answer.message)).toMatch(/revoked/i);
  });
});
