export { McpProxyWorker, mcpServersOf } from './mcp-proxy-worker.js';
export type { McpProxyWorkerOptions } from './mcp-proxy-worker.js';
export { connectMcp, proxyService, mcpServerConfigError, MCP_TRANSPORTS } from './remote-mcp.js';
export type { McpServerConfig } from './remote-mcp.js';
