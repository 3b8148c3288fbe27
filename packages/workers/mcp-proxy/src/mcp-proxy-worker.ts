/**
 * The `mcp-server` app type: a session connects to the Hypha server as the app's client and
 * registers one service of type `mcp` per entry of the manifest's `mcpServers` (streamable-http,
 * sse, and stdio, which the reference lacks), plus a `default` service listing them.
 */
import { connectToServer } from '@hypha/rpc';
import { SessionWorker } from '@hypha/apps';
import type { AppWorker, CompileFile, LogItem, WorkerStartConfig } from '@hypha/apps';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { closeAfterFailure, connectMcp, mcpServerConfigError, proxyService } from './remote-mcp.js';
import type { McpServerConfig } from './remote-mcp.js';

/** The app's own client connection, as far as the worker uses it. */
type AppClient = { registerService(s: Record<string, unknown>): Promise<unknown>; disconnect(): Promise<void> };

export interface McpProxyWorkerOptions {
  id?: string;
  /** Milliseconds to wait for each remote server to connect. */
  connectTimeoutMs?: number;
}

/** The `mcpServers` of a manifest, checked; throws an error naming the bad entry. */
export function mcpServersOf(manifest: Record<string, unknown>): Record<string, McpServerConfig> {
  const servers = manifest.mcpServers ?? manifest.mcp_servers;
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers) || Object.keys(servers).length === 0) {
    throw new Error('An mcp-server app needs a non-empty "mcpServers" object in its manifest');
  }
  for (const [name, config] of Object.entries(servers)) {
    const problem = mcpServerConfigError(name, config);
    if (problem) throw new Error(`Invalid manifest: ${problem}`);
  }
  return servers as Record<string, McpServerConfig>;
}

export class McpProxyWorker extends SessionWorker implements AppWorker {
  readonly id: string;
  readonly name = 'MCP proxy worker';
  readonly description = 'Imports remote MCP servers (streamable-http, sse, stdio) as Hypha services';
  readonly supportedTypes = ['mcp-server'] as const;
  readonly useLocalUrl = true;
  private readonly connectTimeoutMs: number;

  constructor(options: McpProxyWorkerOptions = {}) {
    super();
    this.id = options.id ?? 'mcp-proxy-worker';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  }

  /** Install time: merges `mcpServers` from a JSON source file, checks each server answers. */
  async compile(manifest: Record<string, unknown>, files: CompileFile[]): Promise<[Record<string, unknown>, CompileFile[]]> {
    const merged: Record<string, unknown> = { ...manifest };
    for (const file of files) {
      if (!file.path.endsWith('.json') || typeof file.content !== 'string') continue;
      const parsed = JSON.parse(file.content) as { mcpServers?: Record<string, unknown> };
      if (parsed.mcpServers) merged.mcpServers = { ...parsed.mcpServers, ...(merged.mcpServers as object | undefined) };
    }
    for (const [name, config] of Object.entries(mcpServersOf(merged))) {
      const client = await connectMcp(name, config, this.connectTimeoutMs);
      await client.close();
    }
    merged.wait_for_service = 'default';
    return [merged, files];
  }

  async start(config: WorkerStartConfig): Promise<string> {
    const servers = mcpServersOf(config.manifest);
    const logs: LogItem[] = [];
    const clients: Client[] = [];
    const api = (await connectToServer({
      server_url: config.server_url,
      workspace: config.workspace,
      client_id: config.client_id,
      token: config.token,
    } as Parameters<typeof connectToServer>[0])) as unknown as AppClient;
    try {
      for (const [name, serverConfig] of Object.entries(servers)) {
        const client = await connectMcp(name, serverConfig, this.connectTimeoutMs);
        clients.push(client);
        const service = await proxyService(name, client, config.app_id);
        await api.registerService(service);
        const count = (k: string) => Object.keys(service[k] as object).length;
        logs.push({ type: 'info', content: `MCP server ${name}: ${count('tools')} tools, ${count('resources')} resources, ${count('prompts')} prompts` });
      }
      await api.registerService({
        id: 'default',
        name: `MCP proxy for ${config.app_id}`,
        config: { visibility: 'public' },
        list_servers: () => Object.keys(servers),
      });
    } catch (err) {
      await closeAfterFailure([...clients, { close: () => api.disconnect() }], err);
    }
    this.sessions.add(config.id, {
      logs,
      close: async () => {
        await Promise.all(clients.map((c) => c.close()));
        await api.disconnect();
      },
    });
    return config.id;
  }
}
