import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { ClientPool } from './helpers/clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// `--enable-terminal-worker`: the npm hypha-rpc client drives the built-in terminal worker the way
// the reference's test_terminal.py does (a real pty, real bash and python3), and the controller
// runs a `terminal` app whose startup command is a Node client that registers a service.

const require = createRequire(import.meta.url);
const appScript = `
globalThis.WebSocket = require(${JSON.stringify(require.resolve('ws'))}).WebSocket;
const { hyphaWebsocketClient } = require(${JSON.stringify(require.resolve('hypha-rpc'))});
const e = process.env;
hyphaWebsocketClient.connectToServer({ server_url: e.HYPHA_SERVER_URL, workspace: e.HYPHA_WORKSPACE, client_id: e.HYPHA_CLIENT_ID, token: e.HYPHA_TOKEN, app_id: e.HYPHA_APP_ID, logger: null })
  .then((api) => api.registerService({ id: 'default', config: { visibility: 'public' }, cwd: () => process.cwd(), add: (a, b) => a + b, read: (p) => require('fs').readFileSync(p, 'utf8') }))
  .then(() => console.log('terminal app registered'));
`;

type Exec = { status: string; outputs: Array<{ type: string; name: string; text: string }> };

describe('terminal worker (--enable-terminal-worker)', () => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let alice: Proxy;
  let bob: Proxy;
  let worker: Proxy;
  let workerId: string;

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
    t = await startTestServer({ ...backend.options, enableServerApps: true, enableTerminalWorker: true });
    await t.server.artifacts!.ready;
    alice = (await clients.connect(mintToken(t.authConfig, userWith('alice', { 'ws-user-alice': 'a' }, 'ws-user-alice')))).server;
    bob = (await clients.connect(mintToken(t.authConfig, userWith('bob', { 'ws-user-bob': 'a' }, 'ws-user-bob')))).server;
    const listed = await alice.listServices({ workspace: 'public' });
    const found = listed.filter((s: Proxy) => s.type === 'server-app-worker' && s.name === 'Terminal Worker');
    expect(found).toHaveLength(1);
    workerId = found[0].id;
    worker = await alice.getService(workerId);
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('is a public server-app-worker for the terminal type, with the reference methods', async () => {
    expect(worker.supported_types).toEqual(['terminal']);
    for (const m of ['start', 'stop', 'execute', 'get_logs', 'compile', 'shutdown', 'resize_terminal', 'read_terminal', 'write_terminal', 'get_screen_content', 'list_sessions']) {
      expect(typeof worker[m], m).toBe('function');
    }
  });

  it('runs a bash session started by a client: execute, read, screen, resize, logs, stop', async () => {
    const ws = alice.config.workspace;
    const sid = await worker.start({ id: 'test-terminal-session', app_id: 'test-app', workspace: ws, client_id: alice.config.client_id, manifest: { type: 'terminal', startup_command: '/bin/bash' } });
    expect(sid).toBe('test-terminal-session');
    const r = (await worker.execute(sid, "echo 'Hello Terminal'", { timeout: 10 })) as Exec;
    expect(r.status).toBe('ok');
    expect(r.outputs[0]).toEqual({ type: 'stream', name: 'stdout', text: 'Hello Terminal' });
    expect(await worker.write_terminal(sid, 'echo $((20+22))\r')).toEqual({ success: true, bytes_written: 16 });
    let out = '';
    for (let i = 0; i < 100 && !/[\r\n]42\r\n/.test(out); i++) {
      await new Promise((res) => setTimeout(res, 50));
      const read = await worker.read_terminal(sid);
      expect(read.success).toBe(true);
      out += read.output;
    }
    expect(out).toMatch(/[\r\n]42\r\n/);
    const screen = await worker.get_screen_content(sid);
    expect(screen.success).toBe(true);
    expect(screen.content).toContain('Hello Terminal');
    expect((await worker.resize_terminal(sid, 30, 100)).success).toBe(true);
    expect(((await worker.execute(sid, 'stty size', { timeout: 10 })) as Exec).outputs[0]!.text).toBe('30 100');
    const logs = await worker.get_logs(sid);
    expect(logs.items[0]).toEqual({ type: 'info', content: 'Terminal session started with command: /bin/bash' });
    expect(logs.items.some((i: Proxy) => i.type === 'stdout' && i.content.includes('Hello Terminal'))).toBe(true);
    expect((await worker.list_sessions()).sessions.map((s: Proxy) => [s.session_id, s.workspace])).toEqual([[sid, ws]]);
    await worker.stop(sid);
    await expect(worker.execute(sid, 'echo gone')).rejects.toThrow('Terminal session test-terminal-session not found');
  });

  it('runs python3 -i and waits for its prompt', async () => {
    const sid = await worker.start({ id: 'test-python-terminal', app_id: 'py', manifest: { type: 'terminal', startup_command: 'python3 -i' } });
    expect(((await worker.execute(sid, "print('Hello from Python')")) as Exec).outputs[0]!.text).toBe('Hello from Python');
    expect(((await worker.execute(sid, '2 + 2')) as Exec).outputs[0]!.text).toBe('4');
    await worker.stop(sid);
  });

  it("keeps other workspaces and anonymous users out of a workspace's sessions", async () => {
    const sid = await worker.start({ id: 'alice-private', manifest: { type: 'terminal' } });
    const bobWorker = await bob.getService(workerId);
    for (const call of [
      () => bobWorker.execute(sid, 'id'),
      () => bobWorker.write_terminal(sid, 'id\r'),
      () => bobWorker.read_terminal(sid),
      () => bobWorker.get_screen_content(sid),
      () => bobWorker.get_logs(sid),
      () => bobWorker.stop(sid),
    ]) {
      await expect(call()).rejects.toThrow(`Permission denied: session ${sid} is not in workspace ws-user-bob`);
    }
    expect((await bobWorker.list_sessions()).sessions).toEqual([]);
    await expect(bobWorker.start({ id: 'bob-as-alice', workspace: 'ws-user-alice', manifest: { type: 'terminal' } })).rejects.toThrow(
      "Permission denied: config.workspace ws-user-alice is not the caller's workspace ws-user-bob",
    );
    const anon = (await clients.connect()).server;
    const anonWorker = await anon.getService(workerId);
    await expect(anonWorker.start({ id: 'anon', manifest: { type: 'terminal' } })).rejects.toThrow('Permission denied: anonymous users cannot start sessions on Terminal Worker');
    expect(((await worker.execute(sid, 'echo still-mine')) as Exec).outputs[0]!.text).toBe('still-mine');
    await worker.stop(sid);
  });

  it('refuses a program that does not exist, and an unknown session, with the reason', async () => {
    await expect(worker.start({ id: 'test-invalid-command', manifest: { type: 'terminal', startup_command: '/nonexistent/command' } })).rejects.toThrow(
      'Failed to spawn terminal process: /nonexistent/command: no such executable file',
    );
    await expect(worker.execute('invalid-session-id', 'echo test')).rejects.toThrow('Terminal session invalid-session-id not found');
    expect((await worker.list_sessions()).sessions).toEqual([]);
  });

  it('runs a terminal app through server-apps: its process connects with the session token, in its own directory', async () => {
    const ws = alice.config.workspace;
    const controller = await alice.getService('public/server-apps');
    const files = [
      { path: 'data.txt', content: 'hello-staged', format: 'text' },
      { path: 'assets/a.txt', content: 'A', format: 'text' },
      { path: 'assets/sub/b.txt', content: 'B', format: 'text' },
    ];
    const files_to_stage = ['data.txt', 'assets/:copied/', 'data.txt:renamed/r.txt'];
    const manifest = await controller.install(
      kw({ source: '# terminal app', files, manifest: { name: 'Term App', type: 'terminal', version: '0.1.0', startup_command: ['node', '-e', appScript], files_to_stage }, app_id: 'term-app', overwrite: true }),
    );
    expect(manifest.startup_command).toEqual(['node', '-e', appScript]);
    const session = await controller.start(kw({ app_id: 'term-app', timeout: 30 }));
    expect(session.worker_id).toBe(workerId);
    const svc = await alice.getService(session.service_id);
    expect(await svc.add(40, 2)).toBe(42);
    const cwd: string = await svc.cwd();
    expect(existsSync(cwd)).toBe(true);
    expect([await svc.read('data.txt'), await svc.read('copied/a.txt'), await svc.read('copied/sub/b.txt'), await svc.read('renamed/r.txt')]).toEqual(['hello-staged', 'A', 'B', 'hello-staged']);
    const logs = await controller.get_logs(session.id);
    expect(logs.items.map((i: Proxy) => i.content).join('')).toContain('terminal app registered');
    await controller.stop(session.id);
    expect(existsSync(cwd)).toBe(false);
    expect(await controller.list_running()).toEqual([]);
    await controller.uninstall('term-app');
    expect(ws).toBe('ws-user-alice');
  }, 60_000);

  it('refuses to start a terminal app whose files_to_stage cannot be staged, naming the file', async () => {
    const controller = await alice.getService('public/server-apps');
    const install = (app_id: string, files_to_stage: unknown) =>
      controller.install(kw({ source: '#', manifest: { name: app_id, type: 'terminal', version: '0.1.0', startup_command: '/bin/sh', files_to_stage }, app_id, overwrite: true }));
    // install test-starts the app, so the install itself fails
    await expect(install('stage-missing', ['missing.txt'])).rejects.toThrow("Failed to prepare staged files: File not found in the app's files: missing.txt");
    await expect(install('stage-escape', ['source:../../outside.txt'])).rejects.toThrow(
      'manifest.files_to_stage: source:../../outside.txt would be written outside the session directory',
    );
    await expect(install('stage-bad', 'data.txt')).rejects.toThrow('manifest.files_to_stage must be a list of strings, got string');
    expect(await controller.list_running()).toEqual([]);
    expect((await worker.list_sessions()).sessions).toEqual([]);
    expect((await controller.list_apps()).map((a: Proxy) => a.id)).not.toEqual(expect.arrayContaining(['stage-missing']));
  }, 60_000);
});

describe('terminal worker without server apps', () => {
  let t: TestServer;
  const clients = new ClientPool(() => t.url);
  beforeAll(async () => {
    t = await startTestServer({ enableTerminalWorker: true, artifacts: false });
  });
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
  });

  it('is registered in public on its own and runs sessions', async () => {
    const api = await clients.connect('hypha-rpc', { token: mintToken(t.authConfig, userWith('carol', { 'ws-user-carol': 'a' }, 'ws-user-carol')) });
    const w = await api.getService('public/terminal-worker');
    const sid = await w.start({ id: 'solo', manifest: { type: 'terminal', startup_command: ['/bin/sh'] } });
    expect(((await w.execute(sid, 'echo solo-$((1+1))', { timeout: 10 })) as Exec).outputs[0]!.text).toBe('solo-2');
    await w.stop(sid);
  });
});
