/**
 * Turning what a Hypha function returns into MCP content: strings stay text; objects and lists
 * are JSON text (plus `structuredContent` for objects), not a language's repr; content blocks
 * (`{type: "text" | "image" | "audio" | "resource" | "resource_link", ...}`) pass through.
 */
import type { McpContentBlock, McpToolResult } from './types.js';

const BLOCK_TYPES = new Set(['text', 'image', 'audio', 'resource', 'resource_link']);

export function isContentBlock(value: unknown): value is McpContentBlock {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && BLOCK_TYPES.has(String((value as { type?: unknown }).type));
}

export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'null';
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : typeof v === 'bigint' ? v.toString() : v));
}

export function toContentBlocks(value: unknown): McpContentBlock[] {
  if (isContentBlock(value)) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every(isContentBlock)) return value;
  return [{ type: 'text', text: toText(value) }];
}

export function toToolResult(value: unknown): McpToolResult {
  if (typeof value === 'object' && value !== null && Array.isArray((value as { content?: unknown }).content)) {
    const r = value as McpToolResult;
    if (r.content.every(isContentBlock)) return r;
  }
  const result: McpToolResult = { content: toContentBlocks(value) };
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isContentBlock(value) && !(value instanceof Uint8Array)) {
    result.structuredContent = value as Record<string, unknown>;
  }
  return result;
}

export function errorResult(err: unknown): McpToolResult {
  const message = err instanceof Error ? err.message : String(err);
  return { content: [{ type: 'text', text: `Error: ${message}` }], isError: true };
}
