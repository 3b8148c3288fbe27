import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { registerClientWorker } from './helpers/client-worker.js';
import { mintToken, startTestServer, strongRootToken, userWith, type TestServer } from './helpers/test-server.js';

// How long sessions live: stop_after_inactive counts every call routed to the app (not only
// starts), and daemon apps start at install and again whenever their workspace loads (here:
// after a server restart, when the user's workspace is created again).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stop_after_inactive', () => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let user: Proxy;
  let controller: Proxy;
  let worker: Awaited<ReturnType<typeof registerClientWorker>> | undefined;

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
    t = await startTestServer({ ...backend.options, enableServerApps: true, env: { ...process.env, ACTIVITY_CHECK_INTERVAL: '0.2' } });
    await t.server.artifacts!.ready;
    const token = mintToken(t.authConfig, userWith('dave', { 'ws-user-dave': 'a' }, 'ws-user-dave'));
    user = (await clients.connect(token)).server;
    controller = await user.getService('public/server-apps');
    const workerApi = (await clients.connect(token)).server;
    worker = await registerClientWorker(workerApi, { id: 'idle-worker', appType: 'idle-app', functions: { ping: () => 'pong' } });
    await controller.install(kw({ source: 'x', app_id: 'idle', overwrite: true, manifest: { name: 'Idle', type: 'idle-app', version: '1' } }));
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  const running = async () => (await controller.list_running()).map((s: Proxy) => s.id);

  it('keeps a session alive while its service is called, and stops it once calls stop', async () => {
    const session = await controller.start(kw({ app_id: 'idle', stop_after_inactive: 2.5 }));
    const svc = await user.getService(session.service_id);
    // Calls for 6 s, more than twice the limit: every call resets the clock.
    const until = Date.now() + 6000;
    let lastCall = 0;
    while (Date.now() < until) {
      expect(await svc.ping()).toBe('pong');
      lastCall = Date.now();
      await sleep(300);
    }
    expect(await running()).toContain(session.id);
    await expect.poll(running, { timeout: 6000, interval: 100 }).not.toContain(session.id);
    expect(Date.now() - lastCall).toBeGreaterThanOrEqual(2400);
    expect(worker!.sessions.has(session.id)).toBe(false);
  });

  it('stops an untouched session after its limit', async () => {
    const session = await controller.start(kw({ app_id: 'idle', stop_after_inactive: 1 }));
    expect(await running()).toContain(session.id);
    await expect.poll(running, { timeout: 5000, interval: 100 }).not.toContain(session.id);
  });

  it('never stops a session with stop_after_inactive=0', async () => {
    const session = await controller.start(kw({ app_id: 'idle', stop_after_inactive: 0 }));
    await sleep(2000);
    expect(await running()).toContain(session.id);
    await controller.stop(session.id);
  });
});

describe('daemon apps', () => {
  let backend: ArtifactBackend;
  let t: TestServer | undefined;
  let clients: ArtifactClients;
  const jwtSecret = randomBytes(24).toString('base64url');
  const rootToken = strongRootToken();
  const daemonScript = "print('daemon up')\n";

  async function start(): Promise<{ controller: Proxy; user: Proxy }> {
    t = await startTestServer({ ...backend.options, enableServerApps: true, jwtSecret, rootToken });
    await t.server.artifacts!.ready;
    clients = new ArtifactClients(() => t!.url);
    const token = mintToken(t.authConfig, userWith('erin', { 'ws-user-erin': 'a' }, 'ws-user-erin'));
    const user = (await clients.connect(token)).server;
    return { user, controller: await user.getService('public/server-apps') };
  }

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
  });
  afterAll(async () => {
    await clients?.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('starts at install, is refused a stop_after_inactive, and starts again when its workspace loads after a restart', async () => {
    const first = await start();
    await expect(first.controller.install(kw({ source: daemonScript, app_id: 'bad-daemon', stop_after_inactive: 30, wait_for_service: false, manifest: { name: 'BD', type: 'python-eval', version: '1', daemon: true } })))
      .rejects.toThrow(/stop_after_inactive is not allowed for daemon apps/);
    await first.controller.install(kw({ source: daemonScript, app_id: 'daemon', wait_for_service: false, manifest: { name: 'D', type: 'python-eval', version: '1', daemon: true } }));
    const daemons = async (c: Proxy) => (await c.list_running()).filter((s: Proxy) => s.app_id === 'daemon');
    await expect.poll(async () => (await daemons(first.controller)).length, { timeout: 10_000 }).toBe(1);
    const [session] = await daemons(first.controller);
    expect(session.daemon).toBe(true);
    await expect.poll(async () => (await first.controller.get_logs(session.id)).items.map((i: Proxy) => i.content).join(''), { timeout: 10_000 }).toContain('daemon up');
    // A restart: the in-memory workspace store starts empty, the installed app stays.
    await clients.closeAll();
    await t!.close();
    t = undefined;
    const second = await start();
    await expect.poll(async () => (await daemons(second.controller)).length, { timeout: 15_000 }).toBe(1);
    const [again] = await daemons(second.controller);
    expect(again.id).not.toBe(session.id);
    await expect.poll(async () => (await second.controller.get_logs(again.id)).items.map((i: Proxy) => i.content).join(''), { timeout: 10_000 }).toContain('daemon up');
    await second.controller.stop(again.id);
    await second.controller.uninstall('daemon');
  });
});
