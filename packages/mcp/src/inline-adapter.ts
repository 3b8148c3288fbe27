/**
 * Services that declare MCP inline: `tools` = `{name: schema function}`, `resources` =
 * `{key: {uri?, name?, description?, mime_type?, read}}`, `prompts` = `{key: {name?, description?,
 * read}}` (the prompt's arguments come from `read`'s schema). Every callable must carry a schema.
 */
import type { KwargsCaller } from './call.js';
import { McpAdapterError } from './errors.js';
import { coercePromptResult } from './native-adapter.js';
import { toText, toToolResult } from './results.js';
import type { FunctionSchema, HyphaService, McpAdapter, McpPrompt, McpResource, McpTool, ServiceFunction } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function hasInlineMcp(service: HyphaService): boolean {
  return isObj(service.tools) || isObj(service.resources) || isObj(service.prompts);
}

/** The tool a schema function describes; throws when it has no schema. */
export function toolFromFunction(name: string, fn: unknown): McpTool {
  const schema = (fn as { __schema__?: FunctionSchema } | null)?.__schema__;
  if (typeof fn !== 'function' || !isObj(schema)) {
    throw new McpAdapterError('invalid_registration', `Tool "${name}" must be a @schema_function decorated function (a function with a __schema__)`);
  }
  const params = isObj(schema.parameters) ? schema.parameters : {};
  const tool: McpTool = { name, inputSchema: { ...params, type: 'object' } };
  if (typeof schema.description === 'string') tool.description = schema.description;
  return tool;
}

interface InlineResource {
  resource: McpResource;
  read: ServiceFunction;
}

interface InlinePrompt {
  prompt: McpPrompt;
  read: ServiceFunction;
}

function readFunction(kind: string, key: string, entry: unknown): ServiceFunction {
  const read = isObj(entry) ? entry.read : undefined;
  if (typeof read !== 'function') throw new McpAdapterError('invalid_registration', `${kind} "${key}" needs a "read" function`);
  if (!isObj((read as ServiceFunction).__schema__)) {
    throw new McpAdapterError('invalid_registration', `The read function of ${kind.toLowerCase()} "${key}" must be a @schema_function decorated function`);
  }
  return read as ServiceFunction;
}

export function inlineAdapter(service: HyphaService, callWithKwargs: KwargsCaller): McpAdapter {
  const tools = new Map<string, { tool: McpTool; fn: ServiceFunction }>();
  for (const [name, fn] of Object.entries(isObj(service.tools) ? service.tools : {})) {
    tools.set(name, { tool: toolFromFunction(name, fn), fn: fn as ServiceFunction });
  }
  const resources = new Map<string, InlineResource>();
  for (const [key, entry] of Object.entries(isObj(service.resources) ? service.resources : {})) {
    const read = readFunction('Resource', key, entry);
    const e = entry as Obj;
    const uri = typeof e.uri === 'string' ? e.uri : key;
    const resource: McpResource = { uri, name: typeof e.name === 'string' ? e.name : key, mimeType: String(e.mime_type ?? e.mimeType ?? 'text/plain') };
    if (typeof e.description === 'string') resource.description = e.description;
    resources.set(uri, { resource, read });
  }
  const prompts = new Map<string, InlinePrompt>();
  for (const [key, entry] of Object.entries(isObj(service.prompts) ? service.prompts : {})) {
    const read = readFunction('Prompt', key, entry);
    const e = entry as Obj;
    const name = typeof e.name === 'string' ? e.name : key;
    const params = read.__schema__?.parameters ?? {};
    const required = new Set(params.required ?? []);
    const prompt: McpPrompt = {
      name,
      arguments: Object.entries(params.properties ?? {}).map(([arg, s]) => ({
        name: arg,
        ...(typeof s.description === 'string' ? { description: s.description } : {}),
        required: required.has(arg),
      })),
    };
    if (typeof e.description === 'string') prompt.description = e.description;
    prompts.set(name, { prompt, read });
  }
  return {
    kind: 'inline',
    excluded: [],
    listTools: async () => [...tools.values()].map((t) => t.tool),
    callTool: async (name, args) => {
      const t = tools.get(name);
      if (!t) throw new McpAdapterError('unknown_tool', `Unknown tool: ${name}`);
      return toToolResult(await callWithKwargs(t.fn, args));
    },
    listResources: async () => [...resources.values()].map((r) => r.resource),
    listResourceTemplates: async () => [],
    readResource: async (uri) => {
      const r = resources.get(uri);
      if (!r) throw new McpAdapterError('unknown_resource', `Unknown resource: ${uri}`);
      return [{ uri, mimeType: r.resource.mimeType ?? 'text/plain', text: toText(await r.read()) }];
    },
    listPrompts: async () => [...prompts.values()].map((p) => p.prompt),
    getPrompt: async (name, args) => {
      const p = prompts.get(name);
      if (!p) throw new McpAdapterError('unknown_prompt', `Unknown prompt: ${name}`);
      return coercePromptResult(await callWithKwargs(p.read, args));
    },
  };
}
