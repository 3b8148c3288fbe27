import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { BlobRangeError, isBlobStoreError } from '../errors.js';
import { parseRangeHeader } from '../range.js';
import type { FsBlobStore } from './fs-blob-store.js';

/** Options of {@link createFsBlobRequestHandler}. */
export interface FsBlobRequestHandlerOptions {
  /**
   * Path prefix at which requests arrive, when it differs from the signer's `baseUrl` path
   * (for example behind a proxy that strips a public prefix).
   */
  mountPath?: string;
  /** Value of `Access-Control-Allow-Origin`. @default '*' */
  allowOrigin?: string;
}

/** A Node `http` request listener; also usable as express middleware. */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const STATUS: Record<string, number> = {
  SIGNED_URL_INVALID: 403,
  SIGNED_URL_EXPIRED: 403,
  NOT_FOUND: 404,
  INVALID_RANGE: 416,
  SIZE_MISMATCH: 400,
  INVALID_KEY: 400,
  INVALID_ARGUMENT: 400,
  MULTIPART: 400,
  CONFLICT: 409,
};

/**
 * Serves the signed URLs of a {@link FsBlobStore}: `GET`/`HEAD` (with `Range`) for download URLs,
 * `PUT` for upload and multipart part URLs, and CORS preflights. Errors answer
 * `{"success": false, "detail": message}` with 400/403/404/405/409/416.
 *
 * @example
 * const handler = createFsBlobRequestHandler(store);
 * http.createServer((req, res) => req.url?.startsWith('/fs/') ? handler(req, res) : other(req, res));
 */
export function createFsBlobRequestHandler(store: FsBlobStore, options: FsBlobRequestHandlerOptions = {}): NodeRequestHandler {
  const signer = store.signer;
  if (signer === undefined) throw new TypeError('createFsBlobRequestHandler: the store has no "signing" option');
  const allowOrigin = options.allowOrigin ?? '*';
  const mountPath = options.mountPath ?? signer.basePath;

  return async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', allowOrigin);
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Content-Length, Content-Range, Accept-Ranges');
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, HEAD, PUT',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
      // express strips its mount prefix from req.url but keeps originalUrl.
      const target = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const claims = signer.verify(target, mountPath);
      if (claims.op === 'get') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
        await serveGet(store, claims.key, req, res);
        return;
      }
      if (req.method !== 'PUT') return methodNotAllowed(res, 'PUT');
      const size = contentLength(req);
      const result =
        claims.op === 'put'
          ? await store.put(claims.key, req, { size })
          : await store.uploadPart(claims.key, claims.uploadId ?? '', claims.partNumber ?? 0, req, { size });
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: result.etag });
      res.end(JSON.stringify({ success: true, message: `stored ${claims.key}` }));
    } catch (error) {
      sendError(res, error);
    }
  };
}

async function serveGet(store: FsBlobStore, key: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const range = parseRangeHeader(req.headers.range);
  const read = await store.get(key, { range });
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': read.contentLength,
    'Accept-Ranges': 'bytes',
    ETag: read.info.etag,
    'Last-Modified': read.info.lastModified.toUTCString(),
  };
  if (read.range !== undefined) headers['Content-Range'] = `bytes ${read.range.start}-${read.range.end}/${read.info.size}`;
  res.writeHead(read.range === undefined ? 200 : 206, headers);
  if (req.method === 'HEAD') {
    read.body.destroy();
    res.end();
    return;
  }
  await pipeline(read.body, res);
}

function contentLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header === undefined ? undefined : Number(header);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { 'Content-Type': 'application/json', Allow: allow });
  res.end(JSON.stringify({ success: false, detail: `method not allowed for this signed URL; use ${allow}` }));
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    // The body was streaming: all we can do is cut the response so the client sees it fail.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  const status = isBlobStoreError(error) ? (STATUS[error.code] ?? 500) : 500;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (error instanceof BlobRangeError) headers['Content-Range'] = `bytes */${error.size}`;
  const detail = status === 500 ? 'internal error while serving the signed URL' : (error as Error).message;
  res.writeHead(status, headers);
  res.end(JSON.stringify({ success: false, detail }));
  if (status === 500) {
    process.stderr.write(
      JSON.stringify({ level: 'error', component: '@hypha/storage', msg: 'signed URL request failed', error: String(error) }) + '\n',
    );
  }
}
