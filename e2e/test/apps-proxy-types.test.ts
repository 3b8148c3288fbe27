/**
 * The mcp-server and a2a-agent app types end to end: installed and started through
 * public/server-apps (`--enable-server-apps --enable-mcp --enable-a2a`), run by the built-in
 * proxy workers, called with the npm hypha-rpc client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';
import { serveMcpHttp } from './fixtures/mcp-test-server.js';

describe('mcp-server and a2a-agent apps', () => {
  let backend: ArtifactBackend;
  let t: TestServer;
  let remote: { url: string; close(): Promise<void> };
  const clients = new ArtifactClients(() => t.url);
  let user: Proxy;
  let controller: Proxy;
  let ws: string;

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
    t = await startTestServer({ ...backend.options, enableServerApps: true, enableMcp: true, enableA2a: true });
    await t.server.artifacts!.ready;
    remote = await serveMcpHttp('remote');
    const token = mintToken(t.authConfig, userWith('bob', { 'ws-user-bob': 'a' }, 'ws-user-bob'));
    user = (await clients.connect(token)).server;
    ws = user.config.workspace;
    controller = await user.getService('public/server-apps');
  }, 120_000);

  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await remote?.close();
    await backend?.cleanup();
  });

  it('lists the proxy workers for their types', async () => {
    expect((await controller.list_workers(kw({ app_type: 'mcp-server' }))).length).toBeGreaterThan(0);
    expect((await controller.list_workers(kw({ app_type: 'a2a-agent' }))).length).toBeGreaterThan(0);
  });

  it('installs and starts an mcp-server app whose tools are Hypha functions', async () => {
    const manifest = { name: 'Remote tools', type: 'mcp-server', version: '1.0.0', mcpServers: { remote: { type: 'streamable-http', url: remote.url } } };
    await controller.install(kw({ manifest, app_id: 'remote-tools', overwrite: true }));
    const session = await controller.start(kw({ app_id: 'remote-tools', wait_for_service: 'remote' }));
    const svc = await user.getService(`${session.id}:remote`);
    expect(await svc.tools.add({ a: 1, b: 2 })).toBe('3');
    await controller.stop(session.id);
  });

  it('refuses to install an mcp-server app whose server is down, naming it', async () => {
    const manifest = { name: 'Down', type: 'mcp-server', version: '1.0.0', mcpServers: { gone: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp' } } };
    await expect(controller.install(kw({ manifest, app_id: 'down-tools', overwrite: true }))).rejects.toThrow('Cannot connect to MCP server gone');
  });

  it('installs and starts an a2a-agent app over an a2a service', async () => {
    await user.registerService({
      id: 'helper-agent',
      type: 'a2a',
      config: { visibility: 'public' },
      agent_card: { name: 'Helper', description: 'Helps', skills: [{ id: 'help', name: 'Help', description: 'Helps out' }] },
      run: async (message: { parts: Array<{ text?: string }> }) => `helped with ${message.parts[0]?.text}`,
    });
    const card = await fetch(`${t.url}/${ws}/a2a/helper-agent/.well-known/agent-card.json`);
    expect(card.status).toBe(200);
    const manifest = { name: 'Agents', type: 'a2a-agent', version: '1.0.0', a2aAgents: { helper: { url: `${t.url}/${ws}/a2a/helper-agent` } } };
    await controller.install(kw({ manifest, app_id: 'agents', overwrite: true }));
    const session = await controller.start(kw({ app_id: 'agents', wait_for_service: 'helper' }));
    const proxy = await user.getService(`${session.id}:helper`);
    expect(await proxy.skills[0]({ text: 'the dishes' })).toBe('helped with the dishes');
    await controller.stop(session.id);
  });
});
