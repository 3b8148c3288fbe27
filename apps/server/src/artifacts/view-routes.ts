/**
 * View sites (server-api §4.7): `GET /{ws}/view/{alias}[/{path}]` serves the files of an artifact
 * whose `config.view_config` makes it a static site: `root_directory`, `templates` rendered with
 * the view-template engine (a safe Jinja2 subset) and custom `headers`. `?stage=true` serves the
 * staged files, `?version=` a committed version, `?token=` authenticates. Each request counts a
 * view of the artifact. An artifact without `view_config` is not a site here (the reference
 * renders its own built-in pages for collections and applications). Git-storage artifacts serve
 * a branch of their repository (`git/git-view-site.ts`).
 */
import type { NextFunction, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ArtifactContext, ArtifactFiles, ArtifactManager } from '@hypha/artifacts';
import { isArtifactError, renderViewTemplate, TemplateError } from '@hypha/artifacts';
import type { AuthService } from '@hypha/auth';
import { authenticate } from '../http/request-auth.js';
import type { HttpLog } from '../http/surface-deps.js';
import { sendArtifactError } from './artifact-http-errors.js';
import { qBool, qString } from './artifact-query.js';
import { contentTypeOf } from './content-types.js';
import type { GitArtifacts } from '../git/git-artifact-files.js';
import { serveGitSite } from '../git/git-view-site.js';

export interface ViewRouteDeps {
  auth: AuthService;
  services: () => Promise<{ manager: ArtifactManager; files: ArtifactFiles }>;
  log: HttpLog;
  publicBaseUrl: string;
  localBaseUrl: string;
  /** Git-storage artifacts, for their sites. */
  git?: GitArtifacts;
}

const ROUTE_RE = /^\/([a-zA-Z0-9\-_|]+)\/view\/([^/]+)(\/.*)?$/;
/** Largest template rendered (bytes). */
const MAX_TEMPLATE = 5 * 1024 * 1024;

interface ViewConfig {
  root_directory?: unknown;
  branch?: unknown;
  index?: unknown;
  error_page?: unknown;
  templates?: unknown;
  template_engine?: unknown;
  headers?: unknown;
  metadata?: unknown;
  use_builtin_template?: unknown;
}

function fail(res: Response, status: number, detail: string): void {
  res.status(status).json({ success: false, detail });
}

export function viewRoutes(deps: ViewRouteDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = ROUTE_RE.exec(req.path);
    if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    serve(deps, req, res, match[1]!, match[2]!, match[3] ?? '').catch((err: unknown) => sendArtifactError(res, err, deps.log));
  };
}

async function serve(deps: ViewRouteDeps, req: Request, res: Response, workspace: string, rawAlias: string, rest: string): Promise<void> {
  const alias = decodeURIComponent(rawAlias);
  let path = rest.split('/').map(decodeURIComponent).join('/').replace(/^\/+/, '');
  if (path === '') path = 'index.html';
  const stage = qBool(req, 'stage') === true;
  const version = qString(req, 'version');
  if (stage && version !== undefined && version !== 'stage') return fail(res, 400, 'You cannot specify a version when using stage mode.');
  const { user } = await authenticate(deps.auth, req, true);
  const ctx: ArtifactContext = { ws: workspace, user, from: `${workspace}/http` };
  const { manager, files } = await deps.services();
  const artifactId = `${workspace}/${alias}`;
  // Checks that the caller may read the artifact; the view is counted below.
  const latest = await manager.read(artifactId, true, undefined, false, ctx);
  const config = (latest.config ?? {}) as Record<string, unknown>;
  const view = config.view_config;
  if (view === 'disabled') return fail(res, 404, 'View access is disabled for this artifact');
  if (view === undefined || view === null || typeof view !== 'object' || Array.isArray(view)) {
    return fail(res, 400, 'This artifact type does not support view mode (set config.view_config to serve it as a site)');
  }
  const vc = view as ViewConfig;
  if (config.storage === 'git') {
    if (!deps.git) return fail(res, 400, 'View sites of git-storage artifacts need the git storage, which this server does not run');
    await manager.read(artifactId, false, undefined, false, ctx);
    await serveGitSite(deps.git, ctx, {
      artifactId, path: rest, version, viewConfig: vc as Record<string, unknown>, head: req.method === 'HEAD', contentType: (p) => contentTypeOf(p),
    }, res);
    return;
  }
  const artifact = await manager.read(artifactId, false, stage ? 'stage' : version, stage, ctx);
  const root = typeof vc.root_directory === 'string' ? vc.root_directory : typeof config.root_directory === 'string' ? config.root_directory : '/';
  const rootDir = root.replace(/^\/+|\/+$/g, '');
  const filePath = rootDir ? `${rootDir}/${path}` : path;
  const headers = vc.headers && typeof vc.headers === 'object' && !Array.isArray(vc.headers) ? (vc.headers as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') res.setHeader(k, v);
  const templates = Array.isArray(vc.templates) ? vc.templates : [];
  const engine = vc.template_engine ?? 'jinja2';
  const read = async () => {
    try {
      return (await files.openFile(ctx, artifactId, filePath, { version: stage ? 'stage' : version, stage, silent: true })).read;
    } catch (err) {
      if (isArtifactError(err, 'NOT_FOUND')) return null;
      throw err;
    }
  };

  if (engine === 'jinja2' && templates.includes(path)) {
    if (vc.use_builtin_template === true) return fail(res, 404, `Template file not found: ${path} (this server has no built-in view templates)`);
    const file = await read();
    if (!file) return fail(res, 404, `File not found: ${path}`);
    if (file.contentLength > MAX_TEMPLATE) {
      file.body.destroy();
      return fail(res, 413, `Template ${path} is larger than ${MAX_TEMPLATE} bytes`);
    }
    const chunks: Buffer[] = [];
    for await (const c of file.body) chunks.push(Buffer.from(c as Buffer));
    const base = deps.publicBaseUrl.replace(/\/+$/, '');
    // Plain JSON data only: the template engine sees nothing else.
    const context = JSON.parse(JSON.stringify({
      public_base_url: base,
      local_base_url: deps.localBaseUrl.replace(/\/+$/, ''),
      artifact,
      view_base_url: `${base}/${workspace}/view/${alias}`,
      artifact_base_url: `${base}/${workspace}/artifacts/${alias}`,
      workspace,
      user,
      metadata: vc.metadata ?? {},
    })) as Record<string, unknown>;
    let html: string;
    try {
      html = renderViewTemplate(Buffer.concat(chunks).toString('utf8'), context);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return fail(res, 500, `Template rendering failed: ${err.message}`);
    }
    res.status(200).type(contentTypeOf(path, 'text/html')).send(html);
    return;
  }

  const file = await read();
  if (!file) return fail(res, 404, `File not found: ${path}`);
  res.status(200);
  res.setHeader('Content-Type', contentTypeOf(path));
  res.setHeader('Content-Length', String(file.contentLength));
  if (req.method === 'HEAD') {
    file.body.destroy();
    res.end();
    return;
  }
  await pipeline(file.body, res);
}
