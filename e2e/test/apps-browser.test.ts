import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Window apps in real Chromium (the server's built-in browser worker), called by npm hypha-rpc.

const WINDOW_APP = `
<config lang="json">
{"name": "Greeter Window", "type": "window", "version": "1.0.0"}
</config>
<window><h1 id="title">Greeter</h1></window>
<script lang="javascript">
console.log("greeter starting");
await api.export({
  async setup() {},
  async greet(name) { return "hello " + name + " from " + document.getElementById("title").textContent; },
});
</script>
`;

describe('browser worker (real Chromium)', () => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let user: Proxy;
  let controller: Proxy;

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
    t = await startTestServer({ ...backend.options, enableServerApps: true, env: { ...process.env, HYPHA_PYTHON: 'no-python-here' } });
    await t.server.artifacts!.ready;
    const token = mintToken(t.authConfig, userWith('carol', { 'ws-user-carol': 'a' }, 'ws-user-carol'));
    user = (await clients.connect(token)).server;
    controller = await user.getService('public/server-apps');
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('runs a window plugin: call its service, screenshot it, run a script in it, read its console', async () => {
    const workers = await controller.list_workers(kw({ app_type: 'window' }));
    expect(workers.map((w: Proxy) => w.name)).toEqual(['Browser Worker']);
    const app = await controller.install(kw({ source: WINDOW_APP, app_id: 'greeter', overwrite: true }));
    expect(app.type).toBe('window');
    expect(app.entry_point).toBe('index.html');
    const svc = await user.getService('default@greeter');
    expect(await svc.greet('dora')).toBe('hello dora from Greeter');
    const [session] = await controller.list_running();
    const worker = await user.getService(session.worker_id);
    const png: Uint8Array = await worker.take_screenshot(session.id);
    expect(Buffer.from(png).subarray(1, 4).toString()).toBe('PNG');
    expect(await worker.execute(session.id, 'document.title')).toBe('Greeter Window');
    const logs = await controller.get_logs(session.id);
    expect(logs.items.map((i: Proxy) => i.content)).toContain('[log] greeter starting');
    await controller.stop(session.id);
    await controller.uninstall('greeter');
  }, 120_000);

  it('serves raw HTML as the page, and refuses web-python with the reason', async () => {
    const html = `<!doctype html><html><body><script type="module">
      const q = new URLSearchParams(location.search);
      const rpc = await import(q.get("server_url") + "/assets/hypha-rpc-websocket.mjs");
      const api = await rpc.connectToServer(Object.fromEntries(q));
      await api.registerService({ id: "default", ping: () => "pong" });
    </script></body></html>`;
    await controller.install(kw({ source: html, app_id: 'raw', overwrite: true }));
    const svc = await user.getService('default@raw');
    expect(await svc.ping()).toBe('pong');
    for (const s of await controller.list_running()) await controller.stop(s.id);
    await controller.uninstall('raw');
    await expect(controller.install(kw({ source: 'print(1)', manifest: { name: 'P', type: 'web-python', version: '1' } })))
      .rejects.toThrow(/web-python apps need Pyodide/);
  }, 120_000);

  it('a page that never exports fails its start with its console in the error, and leaves nothing running', async () => {
    await expect(controller.install(kw({ source: 'console.log("about to throw"); throw new Error("broken app");', manifest: { name: 'B', type: 'window', version: '1' }, app_id: 'broken', timeout: 10 })))
      .rejects.toThrow(/Failed to install app 'broken'[\s\S]*broken app/);
    expect(await controller.list_running()).toEqual([]);
    expect((await controller.list_apps()).map((a: Proxy) => a.id)).not.toContain('broken');
  }, 60_000);
});
