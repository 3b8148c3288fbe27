import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphaWebsocketClient } from 'hypha-rpc';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Server apps through a worker that is just a client: a npm hypha-rpc peer registers a
// `server-app-worker` whose start() connects the app as config.client_id with config.token.

describe('server apps with a custom worker', () => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let user: Proxy;
  let controller: Proxy;
  let ws: string;
  const appClients = new Map<string, Proxy>();
  let workerApi: Proxy;
  let workerId: string;

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
    t = await startTestServer({ ...backend.options, enableServerApps: true });
    await t.server.artifacts!.ready;
    const token = mintToken(t.authConfig, userWith('alice', { 'ws-user-alice': 'a' }, 'ws-user-alice'));
    user = (await clients.connect(token)).server;
    ws = user.config.workspace;
    controller = await user.getService('public/server-apps');
    workerApi = (await clients.connect(token)).server;
    const info = await workerApi.registerService({
      id: 'echo-worker',
      name: 'Echo Worker',
      type: 'server-app-worker',
      config: { visibility: 'protected' },
      supported_types: ['echo-app'],
      async start(config: Record<string, any>) {
        if (config.manifest.fail_start) throw new Error('refusing to start: fail_start is set');
        const app = (await hyphaWebsocketClient.connectToServer({
          server_url: config.server_url, client_id: config.client_id, token: config.token, workspace: config.workspace, app_id: config.app_id,
        })) as Proxy;
        appClients.set(config.id, app);
        if (!config.manifest.never_ready) {
          await app.registerService({ id: 'default', config: { visibility: 'public' }, echo: (x: unknown) => x, whoami: () => config.client_id });
        }
        return config.id;
      },
      async stop(sessionId: string) {
        const app = appClients.get(sessionId);
        appClients.delete(sessionId);
        if (app) await app.disconnect();
      },
      async get_logs(sessionId: string) {
        return { items: [{ type: 'info', content: `log of ${sessionId}` }], total: 1, offset: 0, limit: null };
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

  it('installs, lists, starts, calls, stops and uninstalls an app', async () => {
    const manifest = await controller.install(kw({ source: 'echo source', manifest: { name: 'Echo', type: 'echo-app', version: '0.1.0' }, app_id: 'echo', overwrite: true }));
    expect(manifest.id).toBe('echo');
    expect(manifest.services.map((s: Proxy) => s.id)).toEqual([`${ws}/*:default`]);
    expect((await controller.list_apps()).map((a: Proxy) => a.id)).toContain('echo');
    expect(await controller.read_file(kw({ app_id: 'echo', file_path: 'source' }))).toBe('echo source');
    const session = await controller.start(kw({ app_id: 'echo' }));
    expect(session.id).toMatch(new RegExp(`^${ws}/_rapp_.+__rlb$`));
    expect(session.worker_id).toBe(workerId);
    const svc = await user.getService(session.service_id);
    expect(await svc.echo(41)).toBe(41);
    expect((await controller.list_running()).map((s: Proxy) => s.id)).toEqual([session.id]);
    const logs = await controller.get_logs(session.id);
    expect(logs.items[0].content).toBe(`log of ${session.id}`);
    await controller.stop(session.id);
    expect(await controller.list_running()).toEqual([]);
    await controller.uninstall('echo');
    expect((await controller.list_apps()).map((a: Proxy) => a.id)).not.toContain('echo');
  });

  it('lists the worker with disabled=false, and never chooses it once disabled', async () => {
    const workers = await controller.list_workers(kw({ app_type: 'echo-app' }));
    expect(workers).toEqual([expect.objectContaining({ id: workerId, supported_types: ['echo-app'], disabled: false })]);
    await controller.install(kw({ source: 'x', manifest: { name: 'E2', type: 'echo-app', version: '0.1.0' }, app_id: 'echo2', overwrite: true }));
    await controller.edit_worker(kw({ worker_id: workerId, disabled: true }));
    await expect(controller.start(kw({ app_id: 'echo2' }))).rejects.toThrow(/No server app worker found for app type: echo-app/);
    await expect(controller.start(kw({ app_id: 'echo2', worker_id: workerId }))).rejects.toThrow(/disabled/);
    await controller.edit_worker(kw({ worker_id: workerId, disabled: false }));
    const s = await controller.start(kw({ app_id: 'echo2' }));
    await controller.stop(s.id);
    await controller.uninstall('echo2');
  });

  it('rejects bad input with errors that name the problem', async () => {
    await expect(controller.install(kw({ source: 'x', manifest: { name: 'U', type: 'no-such-type', version: '0.1.0' } }))).rejects.toThrow(/No server app worker found for app type: no-such-type/);
    await expect(controller.install(kw({ source: 'x', manifest: { name: 'B', type: 'echo-app', version: 3 } }))).rejects.toThrow(/Field 'version' must be a string/);
    await expect(controller.install(kw({ source: 'x', app_id: 'bad id!', manifest: { name: 'B', type: 'echo-app', version: '1' } }))).rejects.toThrow(/Invalid app id/);
    const v = await controller.validate_app_manifest({ type: 'window' });
    expect(v.valid).toBe(false);
    expect(v.errors).toEqual(expect.arrayContaining(['Missing required field: name', 'Missing required field: version']));
  });

  it('a failing start reports the worker logs and leaves nothing installed or running', async () => {
    await expect(controller.install(kw({ source: 'x', app_id: 'failing', manifest: { name: 'F', type: 'echo-app', version: '1', fail_start: true } })))
      .rejects.toThrow(/Failed to install app 'failing'.*refusing to start[\s\S]*log of/);
    await expect(controller.install(kw({ source: 'x', app_id: 'slow', timeout: 1, manifest: { name: 'S', type: 'echo-app', version: '1', never_ready: true } })))
      .rejects.toThrow(/did not register service 'default' within 1s/);
    const ids = (await controller.list_apps()).map((a: Proxy) => a.id);
    expect(ids).not.toContain('failing');
    expect(ids).not.toContain('slow');
    expect(await controller.list_running()).toEqual([]);
  });

  it('starts an app lazily from get_service("svc@app") and lists its services from the manifest', async () => {
    await controller.install(kw({ source: 'x', app_id: 'lazy', overwrite: true, manifest: { name: 'L', type: 'echo-app', version: '1' } }));
    expect(await controller.list_running()).toEqual([]);
    const svc = await user.getService('default@lazy');
    expect(await svc.echo('hi')).toBe('hi');
    expect((await controller.list_running()).map((s: Proxy) => s.app_id)).toEqual(['lazy']);
    const again = await user.getService('default@lazy');
    expect(await again.whoami()).toBe(await svc.whoami());
    for (const s of await controller.list_running()) await controller.stop(s.id);
    const listed = await user.listServices({ workspace: ws }, false, true);
    expect(listed.map((s: Proxy) => s.id)).toContain(`${ws}/*:default@lazy`);
    const info = await user.getServiceInfo('default@lazy', { read_app_manifest: true });
    expect(info.id).toBe(`${ws}/*:default@lazy`);
    expect(await controller.list_running()).toEqual([]);
    await controller.uninstall('lazy');
  });

  it('keeps other workspaces out of sessions', async () => {
    await controller.install(kw({ source: 'x', app_id: 'private', overwrite: true, manifest: { name: 'P', type: 'echo-app', version: '1' } }));
    const s = await controller.start('private');
    const bobToken = mintToken(t.authConfig, userWith('bob', { 'ws-user-bob': 'a' }, 'ws-user-bob'));
    const bob = (await clients.connect(bobToken)).server;
    const bobController = await bob.getService('public/server-apps');
    await expect(bobController.stop(s.id)).rejects.toThrow(/Permission denied/);
    await expect(bobController.get_logs(s.id)).rejects.toThrow(/Permission denied/);
    await expect(bobController.get_session_info(s.id)).rejects.toThrow(/Permission denied/);
    await expect(bobController.edit_worker(kw({ worker_id: workerId, disabled: true }))).rejects.toThrow(/Permission denied/);
    await controller.stop(s.id);
    await controller.uninstall('private');
  });

  it('drops the sessions of a worker that disconnects', async () => {
    await controller.install(kw({ source: 'x', app_id: 'orphan', overwrite: true, manifest: { name: 'O', type: 'echo-app', version: '1' } }));
    const s = await controller.start('orphan');
    expect((await controller.list_running()).map((x: Proxy) => x.id)).toContain(s.id);
    await workerApi.disconnect();
    await expect.poll(async () => (await controller.list_running()).map((x: Proxy) => x.id), { timeout: 5000 }).not.toContain(s.id);
  });
});
