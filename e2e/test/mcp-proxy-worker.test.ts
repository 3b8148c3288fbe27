/**
 * The mcp-server app type's worker: remote MCP servers (made with the official SDK, over
 * Streamable HTTP and stdio) become Hypha services callable with the npm hypha-rpc client, and
 * are served back out over MCP by our server.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpProxyWorker } from '@hypha/worker-mcp-proxy';
import { ClientPool, type Server } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { serveMcpHttp, serveMcpSse } from './fixtures/mcp-test-server.js';

let ts: TestServer;
let user: Server;
let remote: { url: string; close(): Promise<void> };
let remoteSse: { url: string; close(): Promise<void> };
const worker = new McpProxyWorker({ connectTimeoutMs: 20_000 });
const pool = new ClientPool(() => ts.url);
const stdioScript = fileURLToPath(new URL('./fixtures/mcp-build.mjs', import.meta.url));

async function startConfig(appId: string, mcpServers: Record<string, unknown>) {
  const ws = user.config.workspace as string;
  const clientId = `${appId}-session`;
  return { id: `${ws}/${clientId}`, app_id: appId, workspace: ws, client_id: clientId, server_url: ts.url, app_files_base_url: '', token: await user.generateToken(), entry_point: null, artifact_id: '', timeout: 30, manifest: { type: 'mcp-server', mcpServers } };
}

beforeAll(async () => {
  ts = await startTestServer({ enableMcp: true });
  remote = await serveMcpHttp('http');
  remoteSse = await serveMcpSse('sse');
  user = await pool.connect('hypha-rpc', { client_id: 'mcp-proxy-user' });
});

afterAll(async () => {
  await worker.shutdown();
  await pool.closeAll();
  await remote?.close();
  await remoteSse?.close();
  await ts?.close();
});

describe('mcp-server apps through the MCP proxy worker', () => {
  it('imports a Streamable HTTP, an SSE and a stdio MCP server as Hypha services', async () => {
    const config = await startConfig('tools-app', {
      web: { type: 'streamable-http', url: remote.url },
      older: { type: 'sse', url: remoteSse.url },
      local: { type: 'stdio', command: process.execPath, args: [stdioScript, '--stdio'] },
    });
    const sessionId = await worker.start(config);
    expect(sessionId).toBe(config.id);
    for (const [name, label] of [['web', 'http'], ['older', 'sse'], ['local', 'stdio']] as const) {
      const svc = await user.getService(`${config.workspace}/${config.client_id}:${name}`);
      expect(svc.type).toBe('mcp');
      expect(await svc.tools.add({ a: 2, b: 3 })).toBe('5');
      expect(await svc.tools.whoami()).toBe(label);
      expect(await svc.resources['memo://motto'].read()).toBe(`motto of ${label}`);
      const prompt = await svc.prompts.greet.read({ who: 'Ada' });
      expect(prompt.messages[0].content.text).toBe('Say hello to Ada');
    }
    const logs = await worker.getLogs(sessionId);
    expect(logs.items.map((i) => i.content)).toEqual([
      'MCP server web: 2 tools, 1 resources, 1 prompts',
      'MCP server older: 2 tools, 1 resources, 1 prompts',
      'MCP server local: 2 tools, 1 resources, 1 prompts',
    ]);

    // The imported server is served back out over MCP by our server: a round trip.
    const client = new Client({ name: 'round-trip', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${ts.url}/${config.workspace}/mcp/${config.client_id}:web/mcp`)));
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['add', 'whoami']);
    expect((await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })).content).toEqual([{ type: 'text', text: '42' }]);
    await client.close();

    await worker.stop(sessionId);
    await expect(user.getService(`${config.workspace}/${config.client_id}:web`)).rejects.toThrow();
  });

  it('refuses a server that is down, and bad manifests, with errors that name them', async () => {
    const down = await startConfig('down-app', { gone: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp' } });
    await expect(worker.start(down)).rejects.toThrow('Cannot connect to MCP server gone at http://127.0.0.1:9/mcp');
    await expect(worker.compile(down.manifest, [])).rejects.toThrow('Cannot connect to MCP server gone');
    await expect(worker.start(await startConfig('bad-app', { x: { type: 'carrier-pigeon', url: 'http://a' } }))).rejects.toThrow(
      'mcpServers.x.type must be one of streamable-http, sse, stdio',
    );
    await expect(worker.start(await startConfig('empty-app', {}))).rejects.toThrow('needs a non-empty "mcpServers"');
    // Nothing stays registered after a failed start.
    await expect(user.getService(`${user.config.workspace}/down-app-session:default`)).rejects.toThrow();
  });
});
