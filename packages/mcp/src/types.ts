/** The shapes the adapter works with: a Hypha service as a client sees it, and MCP's objects. */

/** A function of a Hypha service (a remote proxy or a local function), maybe with a schema. */
export type ServiceFunction = ((...args: unknown[]) => unknown) & { __schema__?: FunctionSchema; __doc__?: string };

/** `__schema__` as hypha-rpc's `schema_function` / `schemaFunction` attach it. */
export interface FunctionSchema {
  name?: string;
  description?: string;
  parameters?: { type?: string; properties?: Record<string, Record<string, unknown>>; required?: string[] };
}

/** A service description with its members (functions, nested objects, plain values). */
export type HyphaService = Record<string, unknown> & { id?: string; name?: string; type?: string; description?: string; docs?: unknown };

export interface McpTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { type: 'object'; properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface McpContentBlock {
  type: string;
  [key: string]: unknown;
}

export interface McpToolResult {
  content: McpContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

export interface McpResource {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
}

export interface McpResourceTemplate {
  uriTemplate: string;
  name: string;
  description?: string;
  mimeType?: string;
}

export interface McpResourceContents {
  uri: string;
  mimeType?: string;
  text?: string;
  blob?: string;
}

export interface McpPromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

export interface McpPrompt {
  name: string;
  description?: string;
  arguments?: McpPromptArgument[];
}

export interface McpPromptMessage {
  role: 'user' | 'assistant';
  content: McpContentBlock;
}

export interface McpPromptResult {
  description?: string;
  messages: McpPromptMessage[];
  [key: string]: unknown;
}

/** A function left out of an auto-wrapped service, and why. */
export interface ExcludedFunction {
  name: string;
  reason: string;
}

/** What every mapping (native, inline, auto-wrapped) provides to the MCP server. */
export interface McpAdapter {
  readonly kind: 'native' | 'inline' | 'auto';
  readonly excluded: ExcludedFunction[];
  listTools(): Promise<McpTool[]>;
  callTool(name: string, args: Record<string, unknown>): Promise<McpToolResult>;
  listResources(): Promise<McpResource[]>;
  listResourceTemplates(): Promise<McpResourceTemplate[]>;
  readResource(uri: string): Promise<McpResourceContents[]>;
  listPrompts(): Promise<McpPrompt[]>;
  getPrompt(name: string, args: Record<string, unknown>): Promise<McpPromptResult>;
}
