import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { BACKENDS, artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Edges of install/start through a custom worker (an npm hypha-rpc peer): apps that never come up
// or a worker that never answers, the worker registry's supported_types, and staged apps.

describe.each(BACKENDS)('server apps: start edges (%s)', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let user: Proxy;
  let controller: Proxy;
  let ws: string;
  const appClients = new Map<string, Proxy>();
  let workerId: string;
  let stopCalls = 0;
  const stuckSessions = new Set<string>();
  const setupCalls = new Set<string>();

  beforeAll(async () => {
    backend = await artifactBackend(backendName);
    t = await startTestServer({ ...backend.options, enableServerApps: true });
    await t.server.artifacts!.ready;
    const token = mintToken(t.authConfig, userWith('carol', { 'ws-user-carol': 'a' }, 'ws-user-carol'));
    user = (await clients.connect(token)).server;
    ws = user.config.workspace;
    controller = await user.getService('public/server-apps');
    const workerApi = (await clients.connect(token)).server;
    const info = await workerApi.registerService({
      id: 'edge-worker',
      name: 'Edge Worker',
      description: 'runs edge-app apps',
      type: 'server-app-worker',
      config: { visibility: 'protected' },
      supported_types: ['edge-app', 'edge-app-2'],
      async start(config: Record<string, any>) {
        if (config.manifest.start_never_returns) return new Promise(() => undefined);
        const app = (await hyphaWebsocketClient.connectToServer({
          server_url: config.server_url, client_id: config.client_id, token: config.token, workspace: config.workspace, app_id: config.app_id,
        })) as Proxy;
        appClients.set(config.id, app);
        if (config.manifest.never_ready) stuckSessions.add(config.id);
        // Never-ready apps register something, just not `default`.
        await app.registerService({
          id: config.manifest.never_ready ? 'other' : 'default',
          config: { visibility: 'public' },
          echo: (x: unknown) => x,
          setup: () => {
            setupCalls.add(config.id);
          },
        });
        return config.id;
      },
      stop(sessionId: string) {
        stopCalls += 1;
        // This worker never answers stop for never-ready apps (a stuck worker).
        if (stuckSessions.has(sessionId)) return new Promise(() => undefined);
        const app = appClients.get(sessionId);
        appClients.delete(sessionId);
        return app?.disconnect();
      },
      async get_logs(sessionId: string) {
        return { items: [{ type: 'info', content: `edge log of ${sessionId}` }], total: 1, offset: 0, limit: null };
      },
    });
    workerId = info.id;
  }, 120_000);
  afterAll(async () => {
    for (const app of appClients.values()) await app.disconnect();
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  async function appClientIds(): Promise<string[]> {
    const services = await user.listServices({ workspace: ws });
    return services.map((s: Proxy) => String(s.id)).filter((id: string) => id.includes('_rapp_'));
  }

  it('install fails within its timeout, naming the app and the missing service, when default never registers and stop never returns', async () => {
    const t0 = Date.now();
    await expect(controller.install(kw({ source: 'x', app_id: 'never-ready', timeout: 2, manifest: { name: 'N', type: 'edge-app', version: '1', never_ready: true } })))
      .rejects.toThrow(/Failed to install app 'never-ready'.*did not register service 'default' within 2s[\s\S]*edge log of/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(stopCalls).toBeGreaterThan(0);
    expect((await controller.list_apps()).map((a: Proxy) => a.id)).not.toContain('never-ready');
    expect(await controller.list_running()).toEqual([]);
    expect(await appClientIds()).toEqual([]);
  });

  it('install fails within its timeout when the worker start never returns', async () => {
    const t0 = Date.now();
    await expect(controller.install(kw({ source: 'x', app_id: 'stuck', timeout: 2, manifest: { name: 'S', type: 'edge-app', version: '1', start_never_returns: true } })))
      .rejects.toThrow(/Failed to install app 'stuck'.*did not start the app within 2s/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await controller.list_apps()).map((a: Proxy) => a.id)).not.toContain('stuck');
    expect(await controller.list_running()).toEqual([]);
  });

  it('list_workers and the worker registry keep supported_types', async () => {
    const workers = await controller.list_workers();
    const mine = workers.find((w: Proxy) => w.id === workerId);
    expect(mine).toEqual({ id: workerId, name: 'Edge Worker', description: 'runs edge-app apps', supported_types: ['edge-app', 'edge-app-2'], disabled: false });
    const py = workers.find((w: Proxy) => String(w.id).startsWith('public/') && String(w.id).endsWith(':python-eval-worker'));
    expect(py?.supported_types).toEqual(['python-eval']);
    expect((await controller.list_workers(kw({ app_type: 'edge-app-2' }))).map((w: Proxy) => w.id)).toEqual([workerId]);
    // As the reference: the worker service itself carries supported_types (its listing does not).
    expect((await user.getService(workerId)).supported_types).toEqual(['edge-app', 'edge-app-2']);
    const builtin = await user.getService(String(py!.id));
    expect(builtin.supported_types).toEqual(['python-eval']);
    expect(typeof builtin.start).toBe('function');
  });

  it('a staged app can be read, started and lazily started without naming a version', async () => {
    const staged = await controller.install(kw({ source: 'staged source', app_id: 'staged', stage: true, overwrite: true, manifest: { name: 'Staged', type: 'edge-app', version: '1' } }));
    expect(staged.id).toBe('staged');
    expect(await controller.list_running()).toEqual([]);
    const info = await controller.get_app_info('staged');
    expect(info.manifest.name).toBe('Staged');
    expect(await controller.read_file(kw({ app_id: 'staged', file_path: 'source' }))).toBe('staged source');
    const session = await controller.start('staged');
    expect(setupCalls.has(session.id)).toBe(true); // the server calls setup() of an app's default service, as the reference
    const svc = await user.getService(session.service_id);
    expect(await svc.echo(7)).toBe(7);
    await controller.stop(session.id);
    const lazy = await user.getService('default@staged');
    expect(await lazy.echo('lazy')).toBe('lazy');
    for (const s of await controller.list_running()) await controller.stop(s.id);
    await controller.commit_app('staged');
    expect((await controller.get_app_info('staged')).versions.length).toBe(1);
    await controller.uninstall('staged');
  });

  it('a staged python-eval app runs its staged script without naming a version', async () => {
    await controller.install(kw({ source: "print('hello from the staged script')", app_id: 'staged-py', stage: true, overwrite: true, manifest: { name: 'SP', type: 'python-eval', version: '1' } }));
    const session = await controller.start(kw({ app_id: 'staged-py', wait_for_service: false }));
    await expect.poll(async () => (await controller.get_logs(session.id)).items.map((i: Proxy) => i.content).join(''), { timeout: 10_000 })
      .toContain('hello from the staged script');
    await controller.stop(session.id);
    await controller.uninstall('staged-py');
  });
});
