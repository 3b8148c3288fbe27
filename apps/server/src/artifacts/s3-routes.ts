/**
 * HTTP side of `public/s3-storage` (`--enable-s3`): `/{ws}/create-multipart-upload`,
 * `/{ws}/complete-multipart-upload`, `GET|PUT|DELETE /{ws}/files/{path}`, and with
 * `--enable-s3-proxy` the `/s3/{bucket}/{key}?{signature}` pass-through to the S3 endpoint.
 */
import type { NextFunction, Request, Response } from 'express';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { checkPermission } from '@hypha/auth';
import type { AuthService } from '@hypha/auth';
import { bindArguments, PermissionDeniedError } from '@hypha/service';
import type { ServiceDef } from '@hypha/service';
import type { BlobStore } from '@hypha/storage';
import { listDirectory, s3Key } from '@hypha/artifacts';
import { authenticate } from '../http/request-auth.js';
import { bodyStream, readBody } from '../http/read-body.js';
import type { HttpLog } from '../http/surface-deps.js';
import { sendArtifactError } from './artifact-http-errors.js';

export interface S3RouteDeps {
  auth: AuthService;
  service: ServiceDef;
  store: () => Promise<BlobStore>;
  log: HttpLog;
}

const ROUTE_RE = /^\/([a-zA-Z0-9\-_|]+)\/(create-multipart-upload|complete-multipart-upload|files(?:\/.*)?)$/;

export function s3StorageRoutes(deps: S3RouteDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const m = ROUTE_RE.exec(req.path);
    if (!m) return next();
    const action = m[2]!;
    const allowed = action.startsWith('files') ? ['GET', 'HEAD', 'PUT', 'DELETE'] : ['POST'];
    if (!allowed.includes(req.method)) return next();
    handle(deps, req, res, m[1]!, action).catch((err: unknown) => sendArtifactError(res, err, deps.log));
  };
}

async function call(deps: S3RouteDeps, name: string, ctx: Record<string, unknown>, kwargs: Record<string, unknown>): Promise<unknown> {
  const method = deps.service.methods[name]!;
  return method.handler(bindArguments(name, method, [], kwargs), ctx as never);
}

async function handle(deps: S3RouteDeps, req: Request, res: Response, ws: string, action: string): Promise<void> {
  const { user } = await authenticate(deps.auth, req, true);
  const ctx = { ws, user, from: `${ws}/http` };
  if (action === 'create-multipart-upload') {
    const q = req.query as Record<string, string | undefined>;
    res.json(await call(deps, 'put_file_start_multipart', ctx, {
      file_path: q.path, part_count: Number(q.part_count), ...(q.expires_in ? { expires_in: Number(q.expires_in) } : {}),
    }));
    return;
  }
  if (action === 'complete-multipart-upload') {
    const body = JSON.parse((await readBody(req, 10 * 1024 * 1024)).toString('utf8')) as Record<string, unknown>;
    res.json(await call(deps, 'put_file_complete_multipart', ctx, { upload_id: body.upload_id, parts: body.parts }));
    return;
  }
  const path = decodeURIComponent(action.slice('files'.length).replace(/^\//, ''));
  if (!checkPermission(user, ws, 'rw')) throw new PermissionDeniedError(`Permission denied: ${ws}`);
  const store = await deps.store();
  if (req.method === 'PUT') {
    await call(deps, 'put_file', ctx, { file_path: path }); // the workspace and permission checks
    const stored = await store.put(s3Key(ctx, path), bodyStream(req));
    res.setHeader('ETag', stored.etag);
    res.json({ success: true, message: 'File uploaded successfully' });
    return;
  }
  if (req.method === 'DELETE') {
    res.json(await call(deps, 'remove_file', ctx, { path }));
    return;
  }
  if (path === '' || path.endsWith('/')) {
    const prefix = s3Key(ctx, path);
    const children = await listDirectory(store, prefix.endsWith('/') ? prefix : `${prefix}/`, Number(req.query.max_length ?? 1000), 0);
    if (!children.length) {
      res.status(404).json({ success: false, detail: `Directory does not exists: ${prefix}` });
      return;
    }
    res.json({ success: true, type: 'directory', name: prefix.replace(/\/$/, '').split('/').pop(), children });
    return;
  }
  const read = await store.get(s3Key(ctx, path));
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(read.contentLength));
  res.setHeader('ETag', read.info.etag);
  await pipeline(read.body, res);
}

/**
 * `--enable-s3-proxy`: `/s3/<bucket>/<key>?<query>` forwarded as it is (method, body, Range and
 * the presigned query) to the S3 endpoint, the answer streamed back untouched (no compression).
 */
export function s3Proxy(endpointUrl: string, signedHost: string, log: HttpLog) {
  const upstream = new URL(endpointUrl);
  const client = upstream.protocol === 'https:' ? https : http;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.url.startsWith('/s3/')) return next();
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: signedHost };
    delete headers.origin;
    delete headers['accept-encoding'];
    const basePath = upstream.pathname.replace(/\/+$/, '');
    const out = client.request({
      protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port,
      method: req.method, path: `${basePath}${req.url.slice(3)}`, headers,
    }, (answer) => {
      const origin = req.headers.origin;
      res.status(answer.statusCode ?? 502);
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !k.startsWith('access-control-')) res.setHeader(k, v);
      res.setHeader('Access-Control-Allow-Origin', typeof origin === 'string' ? origin : '*');
      res.setHeader('Access-Control-Expose-Headers', 'ETag, Content-Length, Content-Range');
      pipeline(answer, res).catch((err: unknown) => log('error', 's3 proxy response failed', { error: String(err) }));
    });
    out.on('error', (err) => {
      log('error', 's3 proxy request failed', { error: err.message });
      if (!res.headersSent) res.status(502).json({ success: false, detail: `S3 proxy error: ${err.message}` });
      else res.destroy(err);
    });
    pipeline(req, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  };
}
