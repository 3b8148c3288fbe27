/**
 * View sites of git-storage artifacts (`/{ws}/view/{alias}/…` with `config.storage="git"`): the
 * files of `view_config.branch` (or `?version=`, default: the default branch) under
 * `view_config.root_directory`, a directory's `view_config.index` (index.html), and
 * `view_config.error_page` with status 404 for missing files. LFS pointers are resolved.
 */
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ArtifactContext } from '@hypha/artifacts';
import { isHyphaError } from '@hypha/service';
import type { GitArtifact, GitArtifacts } from './git-artifact-files.js';
import { contentBody, fileContent } from './git-file-content.js';

export interface GitSiteRequest {
  artifactId: string;
  /** The path after the alias ('' for the site root). */
  path: string;
  version?: string;
  viewConfig: Record<string, unknown>;
  head: boolean;
  contentType: (path: string) => string;
}

async function locate(git: GitArtifacts, a: GitArtifact, path: string, ref: string | undefined) {
  try {
    return await git.locateFile(a, path, ref, false);
  } catch (err) {
    if (isHyphaError(err, 'not_found') || isHyphaError(err, 'invalid_argument')) return null;
    throw err;
  }
}

export async function serveGitSite(git: GitArtifacts, ctx: ArtifactContext, r: GitSiteRequest, res: Response): Promise<void> {
  const a = await git.open(r.artifactId, ctx, 'get_file');
  const vc = r.viewConfig;
  const ref = r.version ?? (typeof vc.branch === 'string' ? vc.branch : undefined);
  const root = (typeof vc.root_directory === 'string' ? vc.root_directory : '').replace(/^\/+|\/+$/g, '');
  const index = typeof vc.index === 'string' && vc.index ? vc.index : 'index.html';
  const under = (p: string) => (root ? `${root}/${p}` : p);
  const clean = r.path.replace(/^\/+/, '');
  const candidates = clean === '' || clean.endsWith('/') ? [under(`${clean}${index}`)] : [under(clean), under(`${clean}/${index}`)];
  let status = 200;
  let found: { path: string; oid: string; size: number } | null = null;
  for (const p of candidates) {
    const f = await locate(git, a, p, ref);
    if (f) {
      found = { path: p, ...f };
      break;
    }
  }
  if (!found && typeof vc.error_page === 'string' && vc.error_page) {
    const p = under(vc.error_page);
    const f = await locate(git, a, p, ref);
    if (f) {
      found = { path: p, ...f };
      status = 404;
    }
  }
  if (!found) {
    res.status(404).json({ success: false, detail: `File not found: ${clean || index}` });
    return;
  }
  const content = await fileContent(a, found.oid, found.size);
  res.status(status);
  res.setHeader('Content-Type', r.contentType(found.path));
  res.setHeader('Content-Length', String(content.size));
  res.setHeader('ETag', `"${found.oid}"`);
  if (r.head) {
    res.end();
    return;
  }
  await pipeline(await contentBody(a, content.key), res);
}
