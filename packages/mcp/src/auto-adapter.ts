/**
 * Any other service, wrapped: every function with a schema becomes a tool (nested keys joined
 * with `_`, `_`-prefixed keys skipped); functions without one are listed as excluded; `docs` and
 * string fields become `resource://<path>` resources.
 */
import type { KwargsCaller } from './call.js';
import { McpAdapterError } from './errors.js';
import { toolFromFunction } from './inline-adapter.js';
import { toToolResult } from './results.js';
import type { ExcludedFunction, HyphaService, McpAdapter, McpResource, McpTool, ServiceFunction } from './types.js';

const METADATA = new Set(['docs', 'id', 'name', 'description', 'type', 'config']);

function collectFunctions(value: unknown, prefix: string, out: Map<string, ServiceFunction>, depth: number): void {
  if (depth > 16 || typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const [key, member] of Object.entries(value)) {
    if (key.startsWith('_')) continue;
    const path = prefix ? `${prefix}_${key}` : key;
    if (typeof member === 'function') out.set(path, member as ServiceFunction);
    else if (key !== 'config') collectFunctions(member, path, out, depth + 1);
  }
}

function collectStrings(value: unknown, prefix: string, out: Map<string, string>, depth: number): void {
  if (depth > 16 || typeof value !== 'object' || value === null) return;
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, member] of entries) {
    if (!Array.isArray(value) && (key.startsWith('_') || METADATA.has(key))) continue;
    const path = prefix ? `${prefix}/${key}` : key;
    if (typeof member === 'string') out.set(path, member);
    else if (typeof member === 'object' && member !== null && !(member instanceof Uint8Array)) collectStrings(member, path, out, depth + 1);
  }
}

const titleCase = (part: string): string => part.replace(/_/g, ' ').replace(/\w\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());

export function autoAdapter(service: HyphaService, callWithKwargs: KwargsCaller): McpAdapter {
  const functions = new Map<string, ServiceFunction>();
  collectFunctions(service, '', functions, 0);
  const tools = new Map<string, { tool: McpTool; fn: ServiceFunction }>();
  const excluded: ExcludedFunction[] = [];
  for (const [name, fn] of functions) {
    if (fn.__schema__ && typeof fn.__schema__ === 'object') tools.set(name, { tool: toolFromFunction(name, fn), fn });
    else excluded.push({ name, reason: 'no schema (register it with schema_function / schemaFunction to expose it as a tool)' });
  }
  const strings = new Map<string, string>();
  collectStrings(service, '', strings, 0);
  if (typeof service.docs === 'string' && service.docs) strings.set('docs', service.docs);
  const serviceName = String(service.name ?? service.id ?? 'service');
  const resources: McpResource[] = [...strings.keys()].map((key) =>
    key === 'docs'
      ? { uri: 'resource://docs', name: `Documentation for ${serviceName}`, description: `Service documentation content for '${serviceName}'`, mimeType: 'text/plain' }
      : {
          uri: `resource://${key}`,
          name: key.split('/').map(titleCase).join(' '),
          description: `String resource at path '${key}' in service '${serviceName}'`,
          mimeType: 'text/plain',
        },
  );
  return {
    kind: 'auto',
    excluded,
    listTools: async () => [...tools.values()].map((t) => t.tool),
    callTool: async (name, args) => {
      const t = tools.get(name);
      if (!t) throw new McpAdapterError('unknown_tool', `Unknown tool: ${name}`);
      return toToolResult(await callWithKwargs(t.fn, args));
    },
    listResources: async () => resources,
    listResourceTemplates: async () => [],
    readResource: async (uri) => {
      const key = uri.startsWith('resource://') ? uri.slice('resource://'.length) : uri;
      const text = strings.get(key);
      if (text === undefined) throw new McpAdapterError('unknown_resource', `Unknown resource: ${uri}`);
      return [{ uri, mimeType: 'text/plain', text }];
    },
    listPrompts: async () => [],
    getPrompt: async (name) => {
      throw new McpAdapterError('unknown_prompt', `Unknown prompt: ${name}`);
    },
  };
}
