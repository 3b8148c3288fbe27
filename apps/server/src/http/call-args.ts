/**
 * Arguments of an HTTP service call (server-api §3.2): GET query parameters become keyword
 * arguments (numeric strings become numbers, strings starting with `{` are parsed as JSON); a
 * POST body is JSON or msgpack: an object is kwargs, an array positional arguments, a scalar
 * one positional argument; an empty body means no arguments.
 */
import type { Request } from 'express';
import { decode as msgpackDecode } from '@msgpack/msgpack';
import { HttpError, badRequest } from './http-errors.js';
import { readBody } from './read-body.js';

export const RESERVED_KEYS = ['workspace', 'service_id', 'function_key', '_mode'];

export type CallArgs = { kind: 'kwargs'; kwargs: Record<string, unknown> } | { kind: 'positional'; args: unknown[] };

export type BodyFormat = 'json' | 'msgpack';

/** Reference `normalize`: digits-only → integer, a float literal → float, otherwise the string. */
export function coerceQueryValue(raw: string): unknown {
  if (/^\d+$/.test(raw)) return Number(raw);
  const trimmed = raw.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  if (raw.startsWith('{')) {
    try {
      return JSON.parse(raw);
    } catch (err) {
      throw badRequest(`Invalid JSON in query parameter: ${(err as Error).message}`, err);
    }
  }
  return raw;
}

export function queryKwargs(query: URLSearchParams): Record<string, unknown> {
  const kwargs: Record<string, unknown> = {};
  for (const [key, value] of query) {
    if (RESERVED_KEYS.includes(key)) continue;
    kwargs[key] = coerceQueryValue(value);
  }
  return kwargs;
}

export function bodyFormat(req: Request): BodyFormat {
  const type = String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type === '') return 'json';
  if (type === 'application/msgpack' || type === 'application/x-msgpack') return 'msgpack';
  throw new HttpError(415, `Invalid content-type: ${type} (supported types: application/json, application/msgpack)`);
}

/** How deeply a request body may nest (the service call path walks values recursively). */
export const MAX_BODY_DEPTH = 1000;

/** The nesting depth of a JSON text, counted without parsing it; stops once past `stopAbove`. */
export function jsonDepth(bytes: Uint8Array, stopAbove: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Whether a decoded value nests deeper than `max` (walked with an explicit stack). */
export function valueDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) continue;
    if (d >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

export function parseBody(body: Uint8Array, format: BodyFormat): unknown {
  if (format === 'msgpack') {
    let value: unknown;
    try {
      value = msgpackDecode(body);
    } catch (err) {
      throw badRequest(`Invalid msgpack request body: ${(err as Error).message}`, err);
    }
    if (valueDepthExceeds(value, MAX_BODY_DEPTH)) {
      throw badRequest(`Invalid msgpack request body: nested deeper than ${MAX_BODY_DEPTH} levels`);
    }
    return value;
  }
  const deepest = jsonDepth(body, MAX_BODY_DEPTH);
  if (deepest > MAX_BODY_DEPTH) throw badRequest(`Invalid JSON in request body: nested deeper than ${MAX_BODY_DEPTH} levels`);
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw badRequest(`Invalid JSON in request body: ${(err as Error).message}`, err);
  }
}

export function argsFromValue(value: unknown): CallArgs {
  if (Array.isArray(value)) return { kind: 'positional', args: value };
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const kwargs = { ...(value as Record<string, unknown>) };
    for (const key of RESERVED_KEYS) delete kwargs[key];
    return { kind: 'kwargs', kwargs };
  }
  return { kind: 'positional', args: [value] };
}

/** Reads the arguments of `req`; `limit` caps the body in bytes. */
export async function requestArgs(req: Request, limit: number): Promise<{ args: CallArgs; format: BodyFormat }> {
  const query = new URL(req.originalUrl, 'http://localhost').searchParams;
  if (req.method === 'GET' || req.method === 'HEAD') {
    return { args: { kind: 'kwargs', kwargs: queryKwargs(query) }, format: 'json' };
  }
  const format = bodyFormat(req);
  const body = await readBody(req, limit);
  if (body.length === 0) return { args: { kind: 'kwargs', kwargs: {} }, format };
  return { args: argsFromValue(parseBody(body, format)), format };
}
