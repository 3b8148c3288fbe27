/** Chooses how a service maps onto MCP: native first, then inline declarations, then auto-wrap. */
import { autoAdapter } from './auto-adapter.js';
import { rpcKwargsCaller } from './call.js';
import type { KwargsCaller } from './call.js';
import { McpAdapterError } from './errors.js';
import { hasInlineMcp, inlineAdapter } from './inline-adapter.js';
import { isNativeMcpService, nativeAdapter } from './native-adapter.js';
import type { HyphaService, McpAdapter } from './types.js';

export interface AdapterOptions {
  /** How keyword arguments reach a function (default: hypha-rpc's `_rkwargs` convention). */
  callWithKwargs?: KwargsCaller;
}

export function createMcpAdapter(service: HyphaService, options: AdapterOptions = {}): McpAdapter {
  const call = options.callWithKwargs ?? rpcKwargsCaller;
  if (isNativeMcpService(service)) return nativeAdapter(service);
  if (hasInlineMcp(service)) return inlineAdapter(service, call);
  if (service.type === 'mcp') {
    throw new McpAdapterError(
      'not_compatible',
      `Service ${String(service.id)} has type "mcp" but does not follow valid MCP structure: it neither implements MCP methods (list_tools, call_tool, ...) nor declares tools, resources or prompts`,
    );
  }
  return autoAdapter(service, call);
}
