/**
 * `/{ws}/mcp/<svc>@<app>/mcp` starts an installed app that is not running (issue #15 item 1), as
 * `get_service("<svc>@<app>")` does; the app runs in real Chromium on the built-in browser worker
 * and is reached with the official MCP SDK client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

const ADDER_APP = `
<config lang="json">
{"name": "Adder", "type": "window", "version": "1.0.0"}
</config>
<script lang="javascript">
function add(a, b) { return a + b; }
add.__schema__ = {
  name: "add",
  description: "Add two numbers",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
};
await api.export({ add });
</script>
`;

describe('MCP route: lazy start of an installed app', () => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let controller: Proxy;
  let token: string;
  const ws = 'ws-user-dana';

  beforeAll(async () => {
    backend = await artifactBackend('pglite+fs');
    t = await startTestServer({ ...backend.options, enableServerApps: true, enableMcp: true, env: { ...process.env, HYPHA_PYTHON: 'no-python-here' } });
    await t.server.artifacts!.ready;
    token = mintToken(t.authConfig, userWith('dana', { [ws]: 'a' }, ws));
    const user = (await clients.connect(token)).server;
    controller = await user.getService('public/server-apps');
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  const running = async () => ((await controller.list_running()) as Proxy[]).filter((s) => s.app_id === 'adder');

  it('lists and calls the tools of an app that was stopped, starting it once', async () => {
    await controller.install(kw({ source: ADDER_APP, app_id: 'adder', overwrite: true, wait_for_service: 'default' }));
    for (const s of await running()) await controller.stop(s.id);
    expect(await running()).toHaveLength(0);

    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/${ws}/mcp/default@adder/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    const mcp = new Client({ name: 'e2e', version: '1.0.0' });
    await mcp.connect(transport);
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['add']);
    expect(tools[0]!.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });
    const result = await mcp.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    await mcp.close();
    expect(await running()).toHaveLength(1);

    // a caller without access to the workspace gets a 404, and starts nothing
    for (const s of await running()) await controller.stop(s.id);
    const res = await fetch(`${t.url}/${ws}/mcp/default@adder/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(await running()).toHaveLength(0);
    await controller.uninstall('adder');
  }, 120_000);
});
