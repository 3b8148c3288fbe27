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

export function parseBody(body: Uint8Array, format: BodyFormat): unknown {
  if (format === 'msgpack') {
    try {
      return msgpackDecode(body);
    } catch (err) {
      throw badRequest(`Invalid msgpack request body: ${(err as Error).message}`, err);
    }
  }
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
