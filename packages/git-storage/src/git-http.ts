/**
 * The git HTTP routes under `/{workspace}/git/{alias}/`: smart HTTP (`info/refs`,
 * `git-upload-pack`, `git-receive-pack`) and Git LFS (`info/lfs/objects/batch`, `…/verify/{oid}`,
 * `…/{oid}`). Reads need read permission (anonymous callers get a 401 challenge when refused),
 * pushes need commit permission; a refusal of an authenticated caller is a 403, never a 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isHyphaError } from '@hypha/service';
import { gitToken, GitHttpError, unauthorized } from './git-auth.js';
import type { GitStorage } from './git-storage.js';
import type { GitRepo } from './git-repo.js';
import { GitBusyError } from './limits.js';
import { handleLfs, type LfsRoute } from './lfs.js';
import { advertiseRefs, serveReceivePack, serveUploadPack, type GitService } from './smart-http.js';

export interface GitUser {
  is_anonymous?: boolean;
}

/** Where a repository is stored, as the artifact layer decides. */
export interface GitRepoLocation {
  /** Blob-store key prefix of the repository, ending with `/`. */
  prefix: string;
  defaultBranch: string;
}

export interface GitHttpOptions<U extends GitUser> {
  storage: GitStorage;
  /** Resolves a token to a user; `null` means the anonymous user. Throws on an invalid token. */
  authenticate(token: string | null): Promise<U>;
  /**
   * Finds the repository of `workspace/alias` and checks the caller's permission (`write`: push).
   * Throws `NotFoundError` or `PermissionDeniedError` from `@hypha/service`.
   */
  locate(workspace: string, alias: string, user: U, write: boolean): Promise<GitRepoLocation>;
  /** Public URL of the server (LFS hrefs), without a trailing slash. */
  publicBaseUrl: string;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

const ROUTE_RE = /^\/([^/]+)\/git\/([^/]+)\/(info\/refs|git-upload-pack|git-receive-pack|info\/lfs\/objects\/batch|info\/lfs\/objects\/verify\/([^/]+)|info\/lfs\/objects\/([^/]+))$/;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers }).end(text);
}

function requestBody(req: IncomingMessage): Readable {
  const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') return req.pipe(createGunzip());
  if (enc && enc !== 'identity') throw new GitHttpError(415, `Unsupported Content-Encoding ${JSON.stringify(enc)}`);
  return req;
}

/**
 * A handler for the git routes. `path` is the request path below the server's base path; it
 * resolves to false when the path is not a git route.
 */
export function createGitHttpHandler<U extends GitUser>(o: GitHttpOptions<U>) {
  /** The caller of a read: a bad token falls back to anonymous, as the reference does. */
  async function reader(req: IncomingMessage): Promise<U> {
    const token = gitToken(req.headers.authorization);
    if (token) {
      try {
        return await o.authenticate(token);
      } catch {
        return o.authenticate(null);
      }
    }
    return o.authenticate(null);
  }

  async function writer(req: IncomingMessage, realm = 'Git Repository'): Promise<U> {
    const token = gitToken(req.headers.authorization);
    if (!token) throw unauthorized('Authentication required', { 'WWW-Authenticate': `Basic realm="${realm}"` });
    let user: U;
    try {
      user = await o.authenticate(token);
    } catch (err) {
      throw unauthorized(`Authentication failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (user.is_anonymous) throw unauthorized('Authentication required');
    return user;
  }

  async function open(workspace: string, alias: string, user: U, write: boolean): Promise<GitRepo> {
    let loc: GitRepoLocation;
    try {
      loc = await o.locate(workspace, alias, user, write);
    } catch (err) {
      if (isHyphaError(err, 'permission_denied')) {
        if (user.is_anonymous) throw unauthorized();
        throw new GitHttpError(403, 'Permission denied');
      }
      if (isHyphaError(err, 'not_found')) {
        if (user.is_anonymous) throw unauthorized();
        throw new GitHttpError(404, err.message || 'Repository not found');
      }
      throw err;
    }
    return o.storage.repo(loc.prefix, loc.defaultBranch);
  }

  async function packOp(run: () => Promise<void>): Promise<void> {
    const release = await o.storage.limiter.acquire();
    try {
      await run();
    } finally {
      release();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray): Promise<void> {
    const workspace = decodeURIComponent(m[1]!);
    let alias = decodeURIComponent(m[2]!);
    if (alias.endsWith('.git')) alias = alias.slice(0, -4);
    const action = m[3]!;
    const method = req.method ?? 'GET';
    if (action === 'info/refs' && (method === 'GET' || method === 'HEAD')) {
      const service = new URL(req.url ?? '/', 'http://x').searchParams.get('service');
      if (service !== 'git-upload-pack' && service !== 'git-receive-pack') throw new GitHttpError(400, 'Smart HTTP protocol required');
      const write = service === 'git-receive-pack';
      const user = write ? await writer(req, 'Git Repository - Push requires authentication') : await reader(req);
      const repo = await open(workspace, alias, user, write);
      const body = await advertiseRefs(repo, service as GitService);
      res.writeHead(200, {
        'Content-Type': `application/x-${service}-advertisement`,
        'Content-Length': String(body.length),
        'Cache-Control': 'no-cache',
        Pragma: 'no-cache',
        Expires: 'Fri, 01 Jan 1980 00:00:00 GMT',
      });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (action === 'git-upload-pack' && method === 'POST') {
      const repo = await open(workspace, alias, await reader(req), false);
      await packOp(() => serveUploadPack(repo, requestBody(req), res));
      return;
    }
    if (action === 'git-receive-pack' && method === 'POST') {
      const repo = await open(workspace, alias, await writer(req), true);
      await packOp(() => serveReceivePack(repo, requestBody(req), res));
      return;
    }
    if (action.startsWith('info/lfs/')) {
      const lfsRoute: LfsRoute | null =
        action === 'info/lfs/objects/batch' && method === 'POST' ? { kind: 'batch' }
        : m[4] !== undefined && method === 'POST' ? { kind: 'verify', oid: m[4] }
        : m[5] !== undefined && (method === 'GET' || method === 'HEAD') ? { kind: 'download', oid: m[5] }
        : m[5] !== undefined && method === 'PUT' ? { kind: 'upload', oid: m[5] }
        : null;
      if (!lfsRoute) throw new GitHttpError(405, `Method ${method} not allowed on ${action}`);
      await handleLfs(lfsRoute, req, res, {
        reader: () => reader(req),
        writer: () => writer(req, 'Git LFS'),
        open: (user, write) => open(workspace, alias, user, write),
        publicBaseUrl: o.publicBaseUrl,
        routeBase: `/${m[1]}/git/${m[2]}`,
      });
      return;
    }
    throw new GitHttpError(405, `Method ${method} not allowed on ${action}`);
  }

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const m = ROUTE_RE.exec(path);
    if (!m) return false;
    try {
      await route(req, res, m);
    } catch (err) {
      if (res.headersSent) {
        o.log?.('error', 'git request failed after the response started', { path, error: String(err) });
        res.destroy();
        return true;
      }
      if (err instanceof GitBusyError) sendJson(res, 503, { detail: err.message }, { 'Retry-After': String(err.retryAfterSeconds) });
      else if (err instanceof GitHttpError) sendJson(res, err.status, { detail: err.message }, err.headers);
      else if (isHyphaError(err, 'invalid_argument')) sendJson(res, 400, { detail: err.message });
      else {
        o.log?.('error', 'git request failed', { path, error: err instanceof Error ? err.message : String(err) });
        sendJson(res, 500, { detail: err instanceof Error ? err.message : String(err) });
      }
    }
    return true;
  };
}
