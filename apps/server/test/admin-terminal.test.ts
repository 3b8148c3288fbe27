import './setup-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

// `--enable-admin-terminal`: a JavaScript REPL in the server process, driven through admin-utils
// by the npm hypha-rpc client as root.

const ROOT_TOKEN = 'Zq7-kP2vX9-mW4nR8tL3-yB6cJ1hF5gD0sA';
let server: RunningServer;
let root: any;
let admin: any;

async function readUntil(pattern: RegExp): Promise<string> {
  let out = '';
  for (let i = 0; i < 200 && !pattern.test(out); i++) {
    await new Promise((r) => setTimeout(r, 25));
    const r = await admin.read_terminal();
    expect(r.success).toBe(true);
    out += r.output;
  }
  return out;
}

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, rootToken: ROOT_TOKEN, enableAdminTerminal: true });
  root = await connectSilently({ server_url: server.url, token: ROOT_TOKEN });
  admin = await root.getService('admin-utils');
});

afterAll(async () => {
  await root?.disconnect();
  await server?.close();
});

describe('admin terminal (--enable-admin-terminal)', () => {
  it('is not running until started, then starts once', async () => {
    expect(await admin.read_terminal()).toEqual({ success: false, error: 'Terminal not running' });
    expect(await admin.write_terminal('1\r')).toEqual({ success: false, error: 'Terminal not running' });
    expect(await admin.execute_command('1')).toEqual({ success: false, error: 'Terminal not running' });
    expect(await admin.start_terminal()).toEqual({ success: true, message: 'JavaScript REPL started', terminal_size: { rows: 24, cols: 80 } });
    expect(await admin.start_terminal()).toEqual({ success: true, message: 'Terminal already running', terminal_size: { rows: 24, cols: 80 } });
    expect((await admin.get_screen_content()).content).toContain('In scope: core, auth, api, connect, print(...)');
  });

  it("evaluates JavaScript with top-level await over the server's objects", async () => {
    expect(await admin.execute_command('2 + 2')).toEqual({ success: true, output: '4' });
    expect(await admin.execute_command(`(await api.listServices({ workspace: 'ws-user-root' })).map((s) => s.id.split(':')[1]).includes('admin-utils')`)).toEqual({
      success: true,
      output: 'true',
    });
    expect(await admin.execute_command('core.manager.serverInfo.server_id')).toEqual({ success: true, output: `'${server.serverId}'` });
    expect(await admin.execute_command("print('hello', { a: 1 })")).toEqual({ success: true, output: 'hello { a: 1 }' });
    const thrown = await admin.execute_command("throw new Error('boom')");
    expect(thrown.success).toBe(true);
    expect(thrown.output).toContain('Uncaught Error: boom');
  });

  it('takes keystrokes: typing, Enter, history and tab completion', async () => {
    await admin.read_terminal();
    for (const ch of '6 * 7') await admin.write_terminal(ch);
    await admin.write_terminal('\r');
    expect(await readUntil(/\r\n42\r\n/)).toMatch(/\r\n42\r\n/);
    await admin.write_terminal('\x1b[A');
    expect(await readUntil(/6 \* 7/)).toContain('6 * 7');
    await admin.write_terminal('\x03');
    await readUntil(/hypha> (\x1b\[\d+G)?$/);
    await admin.write_terminal('conn');
    await admin.write_terminal('\t');
    expect(await readUntil(/connect/)).toContain('connect');
    await admin.write_terminal('\x03');
    await readUntil(/hypha> (\x1b\[\d+G)?$/);
  });

  it('times out a command that does not finish, and stays usable', async () => {
    const r = await admin.execute_command('await new Promise((r) => setTimeout(r, 60000))', 0.5);
    expect(r).toMatchObject({ success: false, error: 'Command timed out after 0.5 seconds' });
    const next = await admin.execute_command('1 + 1');
    expect(next, JSON.stringify((await admin.get_screen_content()).content.slice(-400))).toEqual({ success: true, output: '2' });
  });

  it('resizes and refuses bad sizes and non-root callers', async () => {
    expect(await admin.resize_terminal(30, 100)).toEqual({ success: true, terminal_size: { rows: 30, cols: 100 } });
    await expect(admin.resize_terminal(0, 100)).rejects.toThrow('rows must be an integer between 1 and 10000, got 0');
    const token = await root.generateToken({ workspace: 'ws-user-root', expires_in: 600, permission: 'admin' });
    const rootChild = await connectSilently({ server_url: server.url, token, workspace: 'ws-user-root' });
    const svc = await rootChild.getService('admin-utils');
    await expect(svc.execute_command('1')).rejects.toThrow(/admin-utils is for the root user only/);
    await expect(svc.start_terminal()).rejects.toThrow(/admin-utils is for the root user only/);
    await rootChild.disconnect();
  });

  it('removes its names from the global scope when the server closes', async () => {
    expect('core' in globalThis).toBe(true);
    await root.disconnect();
    root = null;
    await server.close();
    expect('core' in globalThis).toBe(false);
    expect('print' in globalThis).toBe(false);
  });
});
