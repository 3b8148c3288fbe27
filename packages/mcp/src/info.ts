/** The info JSON of `GET /{ws}/mcp/{service_id}`: what the service offers over MCP, and where. */
import type { HyphaService, McpAdapter } from './types.js';

export interface McpEndpoints {
  streamable_http: string;
  sse: string;
}

export async function describeMcpService(adapter: McpAdapter, service: HyphaService, endpoints: McpEndpoints): Promise<Record<string, unknown>> {
  const [tools, resources, prompts] = await Promise.all([adapter.listTools(), adapter.listResources(), adapter.listPrompts()]);
  const summary: Record<string, unknown> = {
    service_id: service.id,
    service_type: service.type ?? 'unknown',
    mapping: adapter.kind,
    tools_count: tools.length,
    resources_count: resources.length,
    prompts_count: prompts.length,
  };
  if (adapter.excluded.length > 0) summary.excluded_functions = adapter.excluded;
  return {
    service: {
      id: service.id,
      name: service.name ?? service.id,
      type: service.type ?? 'generic',
      description: service.description ?? 'Hypha service exposed via MCP',
      is_native_mcp: adapter.kind === 'native',
    },
    endpoints,
    capabilities: {
      tools: tools.map((t) => ({ name: t.name, description: t.description ?? '' })),
      resources: resources.map((r) => ({ uri: r.uri, name: r.name, description: r.description ?? '' })),
      prompts: prompts.map((p) => ({ name: p.name, description: p.description ?? '', ...(p.arguments?.length ? { arguments: p.arguments } : {}) })),
    },
    summary,
    help: 'Use the streamable HTTP endpoint for MCP communication or SSE for server-sent events.',
  };
}
