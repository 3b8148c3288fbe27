import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

const ROOT_TOKEN = 'Zq7-kP2vX9-mW4nR8tL3-yB6cJ1hF5gD0sA';
let server: RunningServer;
let root: any;
let admin: any;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, rootToken: ROOT_TOKEN });
  root = await connectSilently({ server_url: server.url, token: ROOT_TOKEN });
  admin = await root.getService('admin-utils');
});

afterAll(async () => {
  await root.disconnect();
  await server.close();
});

describe('admin-utils (ws-user-root, root only)', () => {
  it('lists servers and workspaces and reports metrics and resource usage', async () => {
    expect(await admin.list_servers()).toEqual([server.serverId]);
    const ids = (await admin.list_workspaces()).map((w: { id: string }) => w.id);
    expect(ids).toEqual(expect.arrayContaining(['public', 'ws-user-root', 'ws-anonymous']));
    const metrics = await admin.get_metrics();
    expect(metrics.eventbus.healthy).toBe(true);
    expect(metrics.rpc.connected_clients).toBeGreaterThanOrEqual(1);
    const usage = await admin.get_resource_usage();
    expect(usage.server_id).toBe(server.serverId);
    expect(usage.memory.rss).toBeGreaterThan(0);
    expect(admin.start_terminal).toBeUndefined();
  });

  it('unloads a workspace and disconnects its clients', async () => {
    await root.createWorkspace({ name: 'tmp-admin-ws', description: 'x' }, true);
    const token = await root.generateToken({ workspace: 'tmp-admin-ws', expires_in: 600 });
    const member = await connectSilently({ server_url: server.url, token, workspace: 'tmp-admin-ws' });
    await member.registerService({ id: 'svc-in-tmp', hello: () => 'hi' });
    expect(await admin.unload_workspace('tmp-admin-ws', true, 5)).toEqual({ success: true, workspace: 'tmp-admin-ws' });
    await expect(root.getService('tmp-admin-ws/svc-in-tmp')).rejects.toThrow();
    const ids = (await admin.list_workspaces()).map((w: { id: string }) => w.id);
    expect(ids).not.toContain('tmp-admin-ws');
    await expect(admin.unload_workspace('public')).rejects.toThrow(/protected/);
    await member.disconnect();
  });

  it('unloads a persistent workspace without deleting it', async () => {
    await root.createWorkspace({ name: 'kept-admin-ws', description: 'kept', persistent: true }, true);
    const token = await root.generateToken({ workspace: 'kept-admin-ws', expires_in: 600 });
    const member = await connectSilently({ server_url: server.url, token, workspace: 'kept-admin-ws' });
    await member.registerService({ id: 'svc-in-kept', hello: () => 'hi' });
    const started = Date.now();
    expect(await admin.unload_workspace('kept-admin-ws', true, 5)).toEqual({ success: true, workspace: 'kept-admin-ws' });
    expect(Date.now() - started).toBeLessThan(4000);
    await expect(root.getService('kept-admin-ws/svc-in-kept')).rejects.toThrow();
    const info = await root.getWorkspaceInfo('kept-admin-ws');
    expect(info).toMatchObject({ id: 'kept-admin-ws', description: 'kept', persistent: true });
    // its members can come back
    const again = await connectSilently({ server_url: server.url, token, workspace: 'kept-admin-ws' });
    expect(again.config.workspace).toBe('kept-admin-ws');
    await again.disconnect();
    await member.disconnect();
  });

  it('kicks out a client', async () => {
    const guest = await connectSilently({ server_url: server.url });
    const ws = guest.config.workspace;
    const result = await admin.kickout_client(ws, guest.config.client_id, 1000, 'bye');
    expect(result).toMatchObject({ success: true, socket_closed: true });
    await expect(admin.kickout_client(ws, 'no-such-client')).rejects.toThrow(/Client not found/);
    await guest.disconnect();
  });

  it('blocks and unblocks users and IPs', async () => {
    const token = await root.generateToken({ workspace: 'ws-user-root', expires_in: 600 });
    const child = await connectSilently({ server_url: server.url, token, workspace: 'ws-user-root' });
    const userId = (await root.parseToken(token)).id;
    expect(await admin.block_user(userId, 60, 'spam')).toBe(`Blocked user ${userId}, kicked 1 connections`);
    await child.disconnect();
    await expect(connectSilently({ server_url: server.url, token, workspace: 'ws-user-root' })).rejects.toThrow(/User blocked: spam/);
    const blocked = await admin.list_blocked();
    expect(blocked.users).toEqual([{ id: userId, reason: 'spam', ttl_seconds: expect.any(Number) }]);
    expect(await admin.unblock_user(userId)).toBe(`Unblocked user ${userId}`);
    const back = await connectSilently({ server_url: server.url, token, workspace: 'ws-user-root' });
    await back.disconnect();

    expect(await admin.block_ip('127.0.0.1', 60, 'flood')).toBe('Blocked IP 127.0.0.1');
    expect((await fetch(`${server.url}/public/services`)).status).toBe(403);
    await expect(connectSilently({ server_url: server.url })).rejects.toThrow();
    expect(await admin.unblock_ip('127.0.0.1')).toBe('Unblocked IP 127.0.0.1');
    expect((await fetch(`${server.url}/public/services`)).status).toBe(200);
  });

  it('refuses everyone but root', async () => {
    const guest = await connectSilently({ server_url: server.url });
    await expect(guest.getService('ws-user-root/admin-utils')).rejects.toThrow(/[Pp]ermission denied/);
    const token = await root.generateToken({ workspace: 'ws-user-root', expires_in: 600, permission: 'admin' });
    const rootChild = await connectSilently({ server_url: server.url, token, workspace: 'ws-user-root' });
    const svc = await rootChild.getService('admin-utils');
    await expect(svc.list_workspaces()).rejects.toThrow(/admin-utils is for the root user only/);
    await rootChild.disconnect();
    await guest.disconnect();
  });
});
