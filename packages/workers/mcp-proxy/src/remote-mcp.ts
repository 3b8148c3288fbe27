/**
 * One remote MCP server, seen through the official SDK client, turned into a Hypha service of
 * type `mcp`: its tools as schema functions under `tools`, its resources and prompts under
 * `resources` and `prompts` (the shape `@hypha/mcp` serves back out unchanged).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** A `mcpServers` entry of an `mcp-server` app manifest. */
export interface McpServerConfig {
  type?: 'streamable-http' | 'sse' | 'stdio';
  url?: string;
  headers?: Record<string, string>;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export const MCP_TRANSPORTS = ['streamable-http', 'sse', 'stdio'] as const;

/** What is wrong with one `mcpServers` entry, or null. */
export function mcpServerConfigError(name: string, raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `mcpServers.${name} must be an object`;
  const c = raw as McpServerConfig;
  const type = c.type ?? (c.command ? 'stdio' : 'streamable-http');
  if (!MCP_TRANSPORTS.includes(type)) return `mcpServers.${name}.type must be one of ${MCP_TRANSPORTS.join(', ')} (got ${JSON.stringify(c.type)})`;
  if (type === 'stdio') return typeof c.command === 'string' && c.command ? null : `mcpServers.${name}.command is required for a stdio server`;
  if (typeof c.url !== 'string' || !/^https?:\/\//.test(c.url)) return `mcpServers.${name}.url must be an http(s) URL`;
  return null;
}

function transportFor(config: McpServerConfig): Transport {
  const type = config.type ?? (config.command ? 'stdio' : 'streamable-http');
  if (type === 'stdio') {
    return new StdioClientTransport({ command: config.command!, args: config.args ?? [], env: { ...process.env, ...config.env } as Record<string, string>, cwd: config.cwd, stderr: 'pipe' });
  }
  const url = new URL(config.url!);
  const requestInit = config.headers ? { headers: config.headers } : undefined;
  return type === 'sse' ? new SSEClientTransport(url, { requestInit }) : new StreamableHTTPClientTransport(url, { requestInit });
}

const where = (name: string, c: McpServerConfig) => (c.command ? `${name} (${[c.command, ...(c.args ?? [])].join(' ')})` : `${name} at ${c.url}`);

/**
 * Closes `clients` after `failure`, then throws `failure`; clients that fail to close are not
 * hidden: the thrown error is then an AggregateError with the same message, holding all of them.
 */
export async function closeAfterFailure(clients: Array<{ close(): Promise<void> }>, failure: unknown): Promise<never> {
  const results = await Promise.allSettled(clients.map((c) => c.close()));
  const closeErrors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (closeErrors.length === 0) throw failure;
  throw new AggregateError([failure, ...closeErrors], failure instanceof Error ? failure.message : String(failure));
}

/** Connects to the server; a server that is down gives an error naming it. */
export async function connectMcp(name: string, config: McpServerConfig, timeoutMs = 15_000): Promise<Client> {
  const client = new Client({ name: `hypha-mcp-proxy-${name}`, version: '0.1.0' });
  try {
    await client.connect(transportFor(config), { timeout: timeoutMs });
  } catch (err) {
    const failure = new Error(`Cannot connect to MCP server ${where(name, config)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    await closeAfterFailure([client], failure);
  }
  return client;
}

type Fn = ((...args: unknown[]) => Promise<unknown>) & { __schema__?: unknown };

/** Binds how a Hypha caller passes arguments (keywords, one object, or positional) to a name map. */
function toArguments(args: unknown[], names: string[]): Record<string, unknown> {
  const last = args[args.length - 1];
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
  if (isMap(last) && last._rkwargs === true) {
    const { _rkwargs: _m, ...kwargs } = last;
    return kwargs;
  }
  if (args.length === 1 && isMap(last) && Object.keys(last).every((k) => names.includes(k))) return last;
  const out: Record<string, unknown> = {};
  args.forEach((v, i) => {
    if (v !== undefined && names[i] !== undefined) out[names[i]!] = v;
  });
  return out;
}

function schemaFn(name: string, description: string, parameters: Record<string, unknown>, run: (args: Record<string, unknown>) => Promise<unknown>): Fn {
  const names = Object.keys((parameters.properties as Record<string, unknown> | undefined) ?? {});
  const fn = (async (...args: unknown[]) => run(toArguments(args, names))) as Fn;
  // Keyword arguments arrive as one `_rkwargs` map (see @hypha/rpc's handle-method).
  Object.defineProperty(fn, '__accepts_kwargs__', { value: true });
  fn.__schema__ = { name, description, parameters: { type: 'object', ...parameters } };
  return fn;
}

/** Unwraps a tool result: one text block becomes its text; `isError` becomes an exception. */
function toolValue(result: { content?: unknown; structuredContent?: unknown; isError?: unknown; toolResult?: unknown }): unknown {
  if (result.content === undefined && 'toolResult' in result) return result.toolResult;
  const content = Array.isArray(result.content) ? (result.content as Array<{ type?: string; text?: string }>) : [];
  if (result.isError) throw new Error(content.map((c) => c.text ?? '').join('\n') || 'The MCP tool reported an error');
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (content.length === 1 && content[0]!.type === 'text') return content[0]!.text;
  return content;
}

/** The Hypha service (type `mcp`) that proxies everything the server offers. */
export async function proxyService(name: string, client: Client, appId: string): Promise<Record<string, unknown>> {
  const caps = client.getServerCapabilities() ?? {};
  const tools: Record<string, Fn> = {};
  if (caps.tools) {
    for (const tool of (await client.listTools()).tools) {
      tools[tool.name] = schemaFn(tool.name, tool.description ?? '', tool.inputSchema as Record<string, unknown>, async (args) =>
        toolValue((await client.callTool({ name: tool.name, arguments: args })) as Parameters<typeof toolValue>[0]),
      );
    }
  }
  const resources: Record<string, Record<string, unknown>> = {};
  if (caps.resources) {
    for (const r of (await client.listResources()).resources) {
      resources[r.uri] = {
        uri: r.uri,
        name: r.name,
        description: r.description ?? '',
        mime_type: r.mimeType ?? 'text/plain',
        read: schemaFn('read', `Read ${r.uri}`, { properties: {} }, async () => {
          const { contents } = await client.readResource({ uri: r.uri });
          const first = contents[0] as { text?: string; blob?: string } | undefined;
          return contents.length === 1 && first?.text !== undefined ? first.text : contents;
        }),
      };
    }
  }
  const prompts: Record<string, Record<string, unknown>> = {};
  if (caps.prompts) {
    for (const p of (await client.listPrompts()).prompts) {
      const properties: Record<string, unknown> = {};
      for (const a of p.arguments ?? []) properties[a.name] = { type: 'string', description: a.description ?? '' };
      const required = (p.arguments ?? []).filter((a) => a.required).map((a) => a.name);
      prompts[p.name] = {
        name: p.name,
        description: p.description ?? '',
        read: schemaFn(p.name, p.description ?? '', { properties, required }, async (args) =>
          client.getPrompt({ name: p.name, arguments: args as Record<string, string> }),
        ),
      };
    }
  }
  return { id: name, name, type: 'mcp', description: `MCP server ${name} (proxied)`, config: { visibility: 'public' }, app_id: appId, tools, resources, prompts };
}
