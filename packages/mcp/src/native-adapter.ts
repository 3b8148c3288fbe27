/**
 * Services that implement MCP themselves (`list_tools`, `call_tool`, `list_prompts`, `get_prompt`,
 * `list_resources`, `list_resource_templates`, `read_resource`): each request is passed on, and
 * what comes back is coerced into MCP's shapes.
 */
import { McpAdapterError } from './errors.js';
import { toContentBlocks, toToolResult } from './results.js';
import type {
  HyphaService,
  McpAdapter,
  McpPrompt,
  McpPromptMessage,
  McpPromptResult,
  McpResource,
  McpResourceContents,
  McpResourceTemplate,
  McpTool,
  ServiceFunction,
} from './types.js';

export const NATIVE_METHODS = [
  'list_tools',
  'call_tool',
  'list_prompts',
  'get_prompt',
  'list_resources',
  'list_resource_templates',
  'read_resource',
] as const;

export function isNativeMcpService(service: HyphaService): boolean {
  return NATIVE_METHODS.some((m) => typeof service[m] === 'function');
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function coerceTool(raw: unknown): McpTool {
  const t = obj(raw);
  const name = str(t.name);
  if (!name) throw new McpAdapterError('invalid_registration', `A tool returned by list_tools has no name: ${JSON.stringify(raw)}`);
  const input = obj(t.inputSchema ?? t.input_schema);
  const tool: McpTool = { name, inputSchema: { ...input, type: 'object' } };
  const description = str(t.description);
  if (description !== undefined) tool.description = description;
  if (str(t.title)) tool.title = str(t.title);
  if (t.annotations) tool.annotations = obj(t.annotations);
  return tool;
}

function coerceResource(raw: unknown): McpResource {
  const r = obj(raw);
  const uri = str(r.uri);
  if (!uri) throw new McpAdapterError('invalid_registration', `A resource has no uri: ${JSON.stringify(raw)}`);
  return withOptional({ uri, name: str(r.name) ?? uri }, r);
}

function coerceTemplate(raw: unknown): McpResourceTemplate {
  const r = obj(raw);
  const uriTemplate = str(r.uriTemplate ?? r.uri_template);
  if (!uriTemplate) throw new McpAdapterError('invalid_registration', `A resource template has no uriTemplate: ${JSON.stringify(raw)}`);
  return withOptional({ uriTemplate, name: str(r.name) ?? uriTemplate }, r);
}

function withOptional<T extends object>(base: T, raw: Obj): T & { description?: string; mimeType?: string } {
  const out: T & { description?: string; mimeType?: string } = { ...base };
  const description = str(raw.description);
  const mimeType = str(raw.mimeType ?? raw.mime_type);
  if (description !== undefined) out.description = description;
  if (mimeType !== undefined) out.mimeType = mimeType;
  return out;
}

function coercePrompt(raw: unknown): McpPrompt {
  const p = obj(raw);
  const name = str(p.name);
  if (!name) throw new McpAdapterError('invalid_registration', `A prompt has no name: ${JSON.stringify(raw)}`);
  const prompt: McpPrompt = { name };
  if (str(p.description) !== undefined) prompt.description = str(p.description);
  if (Array.isArray(p.arguments)) {
    prompt.arguments = p.arguments.map((a) => {
      const arg = obj(a);
      return { name: String(arg.name), ...(str(arg.description) ? { description: str(arg.description) } : {}), required: arg.required === true };
    });
  }
  return prompt;
}

export function coercePromptResult(raw: unknown): McpPromptResult {
  const r = obj(raw);
  if (Array.isArray(r.messages)) {
    const messages = r.messages.map((m): McpPromptMessage => {
      const msg = obj(m);
      const role = msg.role === 'assistant' ? 'assistant' : 'user';
      return { role, content: toContentBlocks(msg.content)[0]! };
    });
    return str(r.description) !== undefined ? { description: str(r.description), messages } : { messages };
  }
  return { messages: [{ role: 'user', content: { type: 'text', text: typeof raw === 'string' ? raw : JSON.stringify(raw) } }] };
}

function coerceContents(raw: unknown, uri: string): McpResourceContents[] {
  const r = obj(raw);
  const list = Array.isArray(r.contents) ? r.contents : Array.isArray(raw) ? raw : null;
  if (list) {
    return list.map((c) => {
      const item = obj(c);
      const out: McpResourceContents = { uri: str(item.uri) ?? uri };
      const mimeType = str(item.mimeType ?? item.mime_type);
      if (mimeType) out.mimeType = mimeType;
      if (typeof item.blob === 'string') out.blob = item.blob;
      else out.text = typeof item.text === 'string' ? item.text : JSON.stringify(c);
      return out;
    });
  }
  return [{ uri, mimeType: 'text/plain', text: typeof raw === 'string' ? raw : JSON.stringify(raw) }];
}

export function nativeAdapter(service: HyphaService): McpAdapter {
  const fn = (name: (typeof NATIVE_METHODS)[number]): ServiceFunction | null =>
    typeof service[name] === 'function' ? (service[name] as ServiceFunction) : null;
  const list = async <T>(name: (typeof NATIVE_METHODS)[number], coerce: (raw: unknown) => T): Promise<T[]> => {
    const f = fn(name);
    if (!f) return [];
    const raw = await f();
    return Array.isArray(raw) ? raw.map(coerce) : [];
  };
  const required = (name: (typeof NATIVE_METHODS)[number]): ServiceFunction => {
    const f = fn(name);
    if (!f) throw new McpAdapterError('not_compatible', `The service does not implement ${name}`);
    return f;
  };
  return {
    kind: 'native',
    excluded: [],
    listTools: () => list('list_tools', coerceTool),
    callTool: async (name, args) => toToolResult(await required('call_tool')(name, args)),
    listResources: () => list('list_resources', coerceResource),
    listResourceTemplates: () => list('list_resource_templates', coerceTemplate),
    readResource: async (uri) => coerceContents(await required('read_resource')(uri), uri),
    listPrompts: () => list('list_prompts', coercePrompt),
    getPrompt: async (name, args) => coercePromptResult(await required('get_prompt')(name, args)),
  };
}
