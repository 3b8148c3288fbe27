/**
 * Artifact HTTP routes (server-api §4.7) under `/{ws}/artifacts/…`: listings, read, file
 * download (Range, or 307 to a presigned URL with `use_proxy=false`), streamed PUT upload,
 * multipart upload, and streamed zip download. Callers act with the URL workspace as context.
 */
import type { NextFunction, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ArtifactContext, ArtifactFiles, ArtifactManager } from '@hypha/artifacts';
import { ArtifactError, isArtifactError } from '@hypha/artifacts';
import type { AuthService } from '@hypha/auth';
import { parseRangeHeader } from '@hypha/storage';
import { corsMiddleware } from '../http/cors.js';
import { authenticate } from '../http/request-auth.js';
import { bodyStream, readBody } from '../http/read-body.js';
import type { HttpLog } from '../http/surface-deps.js';
import { sendArtifactError } from './artifact-http-errors.js';
import { contentTypeOf } from './content-types.js';
import { ListingCache } from './listing-cache.js';
import { qBool, qInt, qJson, qList, qLocalUrl, qNumber, qStage, qString } from './artifact-query.js';

export interface ArtifactRouteDeps {
  auth: AuthService;
  /** Resolves once the manager can serve (the database opens in the background). */
  services: () => Promise<{ manager: ArtifactManager; files: ArtifactFiles }>;
  log: HttpLog;
  /** `--allow-origins` (the server-wide CORS policy, applied here because these routes answer first). */
  allowOrigins: readonly string[];
  /** The listings' 60 s cache. */
  listingCache: ListingCache;
}

const ROUTE_RE = /^\/([a-zA-Z0-9\-_|]+)\/artifacts(\/.*)?$/;

function decodeSegments(raw: string): string {
  try {
    return raw.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new ArtifactError('INVALID_INPUT', `Malformed URL encoding in ${JSON.stringify(raw)}`);
  }
}

export function artifactRoutes(deps: ArtifactRouteDeps) {
  const cors = corsMiddleware(deps.allowOrigins, () => false);
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = ROUTE_RE.exec(req.path);
    if (!match) return next();
    cors(req, res, () => {
      handle(deps, req, res, match[1]!, match[2] ?? '').then(
        (handled) => {
          if (!handled) next();
        },
        (err: unknown) => sendArtifactError(res, err, deps.log),
      );
    });
  };
}

function listArgs(req: Request) {
  const keywords = qString(req, 'keywords');
  return {
    keywords: keywords ? keywords.split(',') : undefined,
    filters: qJson(req, 'filters'),
    mode: qString(req, 'mode'),
    offset: qInt(req, 'offset'),
    limit: qInt(req, 'limit'),
    order_by: qString(req, 'order_by'),
    pagination: qBool(req, 'pagination'),
    silent: qBool(req, 'silent'),
    stage: qStage(req),
  };
}

async function handle(deps: ArtifactRouteDeps, req: Request, res: Response, workspace: string, rest: string): Promise<boolean> {
  const method = req.method;
  const parts = rest.split('/').slice(1); // rest starts with '/'
  const alias = parts[0] ? decodeSegments(parts[0]) : '';
  const action = parts[1];
  const isGet = method === 'GET' || method === 'HEAD';
  // Only the routes below exist; anything else falls through to the other handlers.
  if (!((isGet && (action === undefined || action === 'children' || action === 'files' || action === 'zip-files' || action === 'create-zip-file' || (alias === '-' && action === 'search'))) ||
        (method === 'PUT' && action === 'files') ||
        (method === 'POST' && (action === 'create-multipart-upload' || action === 'complete-multipart-upload')))) {
    return false;
  }
  const { user } = await authenticate(deps.auth, req, true, 'checked-by-route');
  const ctx: ArtifactContext = { ws: workspace, user, from: `${workspace}/http` };
  const { manager, files } = await deps.services();
  const artifactId = `${workspace}/${alias}`;

  // Listings (cached 60 s per caller unless no_cache=true).
  const listing = (action === undefined && alias === '') || action === 'children' || (alias === '-' && action === 'search');
  if (listing) {
    const a = listArgs(req);
    const key = ListingCache.key(action ?? 'list', workspace, alias, user, req.query);
    const cached = qBool(req, 'no_cache') ? undefined : deps.listingCache.get(key);
    if (cached !== undefined) {
      res.type('application/json').send(cached);
      return true;
    }
    const result = action === 'search'
      ? await manager.search(null, a.keywords, a.filters, a.mode, a.offset, a.limit, a.order_by, a.pagination, a.stage, ctx)
      : await manager.list(alias === '' ? null : artifactId, a.keywords, a.filters, a.mode, a.offset, a.limit, a.order_by, a.silent, a.pagination, a.stage, ctx);
    const body = JSON.stringify(result);
    deps.listingCache.set(key, body);
    res.type('application/json').send(body);
    return true;
  }
  if (action === undefined) {
    res.json(await manager.read(artifactId, qBool(req, 'silent'), qString(req, 'version'), qBool(req, 'stage'), ctx));
    return true;
  }
  if (action === 'files') {
    const rawPath = parts.slice(2).join('/');
    const path = decodeSegments(rawPath);
    // What a specialized `get_file:`/`put_file:` token must name to be accepted here.
    ctx.fileScope = { action: method === 'PUT' ? 'put_file' : 'get_file', path: path.replace(/\/+$/, '') };
    if (method === 'PUT') {
      const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
      const stored = await files.uploadFile(ctx, artifactId, path, bodyStream(req), {
        size: req.headers['content-encoding'] ? undefined : declared,
        downloadWeight: qNumber(req, 'download_weight'),
      });
      res.setHeader('ETag', stored.etag);
      res.json({ success: true, message: "File uploaded successfully" });
      return true;
    }
    if (path === '' || rawPath.endsWith('/')) {
      const dir = path.replace(/\/+$/, '');
      res.json(await files.list_files(artifactId, dir || null, qInt(req, 'limit'), qString(req, 'version'), qBool(req, 'stage'), undefined, qInt(req, 'offset'), ctx));
      return true;
    }
    const version = qString(req, 'version');
    const stage = qBool(req, 'stage');
    const silent = qBool(req, 'silent');
    if (qBool(req, 'use_proxy') === false) {
      const url = await files.presignedDownload(ctx, artifactId, path, { version, stage, silent, expiresIn: qInt(req, 'expires_in'), useLocalUrl: qLocalUrl(req) });
      res.redirect(307, url);
      return true;
    }
    const range = parseRangeHeader(typeof req.headers.range === 'string' ? req.headers.range : undefined);
    const { read } = await files.openFile(ctx, artifactId, path, { version, stage, silent, range });
    res.status(read.range ? 206 : 200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(read.contentLength));
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', read.info.etag);
    res.setHeader('Last-Modified', read.info.lastModified.toUTCString());
    if (read.range) res.setHeader('Content-Range', `bytes ${read.range.start}-${read.range.end}/${read.info.size}`);
    if (method === 'HEAD') {
      read.body.destroy();
      res.end();
      return true;
    }
    await pipeline(read.body, res);
    return true;
  }
  if (action === 'zip-files') {
    // `/zip-files/<zip path>/~/<inner path>`, or `?path=<inner path>`.
    let zipPath = decodeSegments(parts.slice(2).join('/'));
    let inner = qString(req, 'path') ?? '';
    const tilde = zipPath.indexOf('/~/');
    if (tilde >= 0) {
      if (inner) throw new ArtifactError('INVALID_INPUT', 'You cannot specify a path when using a zip file with a tilde.');
      inner = zipPath.slice(tilde + 3);
      zipPath = zipPath.slice(0, tilde);
    } else if (zipPath.endsWith('/~')) {
      zipPath = zipPath.slice(0, -2);
    }
    const stage = qBool(req, 'stage');
    let found: Awaited<ReturnType<ArtifactFiles['zipMember']>>;
    try {
      found = await files.zipMember(ctx, artifactId, zipPath, inner, { version: stage ? 'stage' : qString(req, 'version'), stage });
    } catch (err) {
      // The reference answers a missing zip or member with the bare message.
      if (!isArtifactError(err, 'NOT_FOUND')) throw err;
      res.status(404).json({ success: false, detail: err.message });
      return true;
    }
    if ('listing' in found) {
      res.json(found.listing);
      return true;
    }
    res.status(200);
    res.setHeader('Content-Type', contentTypeOf(found.name));
    res.setHeader('Content-Length', String(found.size));
    if (method === 'HEAD') {
      found.body.destroy();
      res.end();
      return true;
    }
    await pipeline(found.body, res);
    return true;
  }
  if (action === 'create-multipart-upload') {
    const path = qString(req, 'path');
    const partCount = qInt(req, 'part_count');
    if (!path) throw new ArtifactError('INVALID_INPUT', 'Query parameter path is required');
    if (partCount === undefined || partCount <= 0) throw new ArtifactError('INVALID_INPUT', 'Query parameter part_count must be a positive integer');
    res.json(await files.put_file_start_multipart(artifactId, path, partCount, qNumber(req, 'download_weight'), qInt(req, 'expires_in'), qBool(req, 'use_proxy'), qLocalUrl(req), ctx));
    return true;
  }
  if (action === 'complete-multipart-upload') {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req, 10 * 1024 * 1024)).toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ArtifactError('INVALID_INPUT', `Body must be JSON {"upload_id", "parts"}: ${(err as Error).message}`, { cause: err });
    }
    res.json(await files.put_file_complete_multipart(artifactId, body.upload_id, body.parts, ctx));
    return true;
  }
  if (action === 'create-zip-file') {
    const { stream, length } = await files.zipFiles(ctx, artifactId, { files: qList(req, 'file'), version: qString(req, 'version'), silent: qBool(req, 'silent') });
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    if (length !== null) res.setHeader('Content-Length', String(length));
    res.setHeader('Content-Disposition', `attachment; filename=${JSON.stringify(`${alias}.zip`)}`);
    await pipeline(stream, res);
    return true;
  }
  return false;
}
