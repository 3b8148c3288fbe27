/** An MCP `Server` (the official SDK's low-level server) answering from an adapter. */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { McpAdapterError } from './errors.js';
import { errorResult } from './results.js';
import type { McpAdapter } from './types.js';

export interface McpServerInfo {
  name: string;
  version?: string;
}

/** Unknown names become JSON-RPC "invalid params" errors; other adapter failures propagate. */
function protocolError(err: unknown): unknown {
  if (err instanceof McpAdapterError && err.kind !== 'invalid_registration' && err.kind !== 'not_compatible') {
    return new McpError(ErrorCode.InvalidParams, err.message);
  }
  return err;
}

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw protocolError(err);
  }
}

export function createMcpServer(adapter: McpAdapter, info: McpServerInfo): Server {
  const server = new Server(
    { name: info.name, version: info.version ?? '0.1.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await adapter.listTools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args } = request.params;
    try {
      return await adapter.callTool(name, args ?? {});
    } catch (err) {
      if (err instanceof McpAdapterError && err.kind === 'unknown_tool') throw protocolError(err);
      // A tool that throws is a tool result with isError, not a protocol failure.
      return errorResult(err);
    }
  });
  server.setRequestHandler(ListResourcesRequestSchema, () => guarded(async () => ({ resources: await adapter.listResources() })));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () =>
    guarded(async () => ({ resourceTemplates: await adapter.listResourceTemplates() })),
  );
  server.setRequestHandler(ReadResourceRequestSchema, (request) =>
    guarded(async () => ({ contents: await adapter.readResource(request.params.uri) })),
  );
  server.setRequestHandler(ListPromptsRequestSchema, () => guarded(async () => ({ prompts: await adapter.listPrompts() })));
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    guarded(async () => await adapter.getPrompt(request.params.name, request.params.arguments ?? {})),
  );
  return server;
}
