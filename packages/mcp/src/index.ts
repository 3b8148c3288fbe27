export { createMcpAdapter } from './adapter.js';
export type { AdapterOptions } from './adapter.js';
export { rpcKwargsCaller } from './call.js';
export type { KwargsCaller } from './call.js';
export { createMcpServer } from './mcp-server.js';
export type { McpServerInfo } from './mcp-server.js';
export { handleStreamableHttp, SseSessions } from './transports.js';
export { describeMcpService } from './info.js';
export type { McpEndpoints } from './info.js';
export { McpAdapterError } from './errors.js';
export { isNativeMcpService, NATIVE_METHODS } from './native-adapter.js';
export { toToolResult, toContentBlocks } from './results.js';
export type {
  ExcludedFunction,
  FunctionSchema,
  HyphaService,
  McpAdapter,
  McpContentBlock,
  McpPrompt,
  McpPromptResult,
  McpResource,
  McpResourceContents,
  McpResourceTemplate,
  McpTool,
  McpToolResult,
  ServiceFunction,
} from './types.js';
