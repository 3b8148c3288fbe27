/**
 * Serving a `functions` service under `/{ws}/apps/{id}/{path}` (server-api §3.3): the function is
 * found by path (nested members), else `<path>/index`, else `default`; it receives a scope with
 * the whole body and returns `{status, headers, body}`.
 */
import type { Request, Response } from 'express';
import type { UserInfo } from '@hypha/auth';
import { HttpError } from './http-errors.js';
import { readBody } from './read-body.js';
import { setAppCors } from './cors.js';

type Fn = (...args: unknown[]) => unknown;

function lookup(service: Record<string, unknown>, segments: string[]): Fn | null {
  let value: unknown = service;
  for (const s of segments) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, s)) return null;
    value = (value as Record<string, unknown>)[s];
  }
  return typeof value === 'function' ? (value as Fn) : null;
}

export function findFunction(service: Record<string, unknown>, segments: string[]): { fn: Fn; isDefault: boolean } | null {
  const direct = segments.length === 0 ? lookup(service, ['index']) : lookup(service, segments);
  if (direct) return { fn: direct, isDefault: false };
  const index = segments.length ? lookup(service, [...segments, 'index']) : null;
  if (index) return { fn: index, isDefault: false };
  const fallback = lookup(service, ['default']);
  return fallback ? { fn: fallback, isDefault: true } : null;
}

export async function serveFunctionsApp(
  req: Request,
  res: Response,
  service: Record<string, unknown>,
  segments: string[],
  scopeBase: Record<string, unknown>,
  user: UserInfo,
  bodyLimit: number,
  guard: (call: Promise<unknown>) => Promise<unknown>,
): Promise<void> {
  const path = segments.join('/');
  const found = findFunction(service, segments);
  if (!found) throw new HttpError(404, `Function not found: ${path || 'index'}`);
  const body = await readBody(req, bodyLimit);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const url = new URL(req.originalUrl, 'http://localhost');
  const scope: Record<string, unknown> = {
    ...scopeBase,
    query_string: url.search.slice(1),
    raw_path: url.pathname,
    headers,
    body: body.length ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : null,
    user,
  };
  if (found.isDefault) scope.function_path = `/${path}`;
  const result = (await guard(Promise.resolve(found.fn(scope)))) as { status?: unknown; headers?: unknown; body?: unknown } | null;
  if (!result || typeof result !== 'object') {
    throw new HttpError(500, `The function for ${path || 'index'} returned ${result === null ? 'null' : typeof result}, expected {status, headers, body}`);
  }
  setAppCors(req, res);
  const status = typeof result.status === 'number' ? result.status : 200;
  if (result.headers && typeof result.headers === 'object') {
    for (const [k, v] of Object.entries(result.headers as Record<string, unknown>)) res.setHeader(k, String(v));
  }
  res.status(status);
  const out = result.body;
  if (out === undefined || out === null) res.end();
  else if (out instanceof Uint8Array) res.end(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  else if (typeof out === 'string') res.end(out);
  else {
    if (!res.getHeader('content-type')) res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(out));
  }
}
