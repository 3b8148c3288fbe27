/**
 * The artifact file routes (server-api §4.7) for git-storage artifacts: `GET|HEAD
 * /{ws}/artifacts/{alias}/files/{path}` serves the file at `?version=<git ref>` (or the branch
 * staging with `?stage=true`), resolving Git LFS pointers to their objects; a path ending in `/`
 * lists a directory; `create-zip-file` zips the files at a ref. Other artifacts fall through.
 */
import type { NextFunction, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ArtifactContext } from '@hypha/artifacts';
import { createSizedZipStream, createZipStream, zipLength } from '@hypha/artifacts';
import type { SizedZipEntry } from '@hypha/artifacts';
import type { AuthService } from '@hypha/auth';
import { listAllFiles } from '@hypha/git-storage';
import { NotFoundError } from '@hypha/service';
import { authenticate } from '../http/request-auth.js';
import type { GitArtifacts } from './git-artifact-files.js';
import { contentBody, contentStore, fileContent } from './git-file-content.js';

const ROUTE_RE = /^\/([a-zA-Z0-9\-_|]+)\/artifacts\/([^/]+)\/(files(?:\/.*)?|create-zip-file)$/;

const q = (req: Request, name: string): string | undefined => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
const qTrue = (req: Request, name: string) => q(req, name) === 'true' || q(req, name) === '1';

export function gitFileRoutes(auth: AuthService, git: GitArtifacts) {
  async function handle(req: Request, res: Response, m: RegExpExecArray): Promise<boolean> {
    const workspace = m[1]!;
    const alias = decodeURIComponent(m[2]!);
    const ctxProbe = { ws: workspace };
    if (!(await git.gitRow(`${workspace}/${alias}`, ctxProbe))) return false;
    const action = m[3]!;
    if (action.startsWith('files') && req.method !== 'GET' && req.method !== 'HEAD') return false;
    const { user } = await authenticate(auth, req, true, 'checked-by-route');
    const ctx: ArtifactContext = { ws: workspace, user, from: `${workspace}/http` };
    const version = q(req, 'version');
    if (action === 'create-zip-file') {
      const a = await git.open(`${workspace}/${alias}`, ctx, 'get_file');
      const commit = await git.commitOf(a, version);
      if (!commit) throw new NotFoundError(`Repository ${workspace}/${alias} has no commits to zip`);
      const wanted = req.query.file === undefined ? null : new Set([req.query.file].flat().map(String));
      const files = (await listAllFiles(a.repo, commit)).filter((f) => !wanted || wanted.has(f.path));
      // Git LFS pointers are zipped as the objects they point to.
      const members: SizedZipEntry[] = [];
      for (const f of files) members.push({ name: f.path, ...(await fileContent(a, f.oid, f.size)) });
      const blobs = contentStore(a);
      // Without zip64 the archive's length is known before the first byte (Content-Length, as the
      // reference sends); larger archives stream in zip64 form without one.
      const length = zipLength(members);
      res.status(200);
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader('Content-Disposition', `attachment; filename=${JSON.stringify(`${alias}.zip`)}`);
      if (length !== null) res.setHeader('Content-Length', String(length));
      async function* unsized() {
        for (const m of members) yield { name: m.name, key: m.key };
      }
      await pipeline(length !== null ? createSizedZipStream(blobs, members) : createZipStream(blobs, unsized()), res);
      return true;
    }
    const rawPath = action.slice('files/'.length);
    const path = rawPath.split('/').map(decodeURIComponent).join('/');
    ctx.fileScope = { action: 'get_file', path: path.replace(/\/+$/, '') };
    const a = await git.open(`${workspace}/${alias}`, ctx, path === '' || rawPath.endsWith('/') ? 'list_files' : 'get_file');
    const stage = qTrue(req, 'stage');
    if (path === '' || rawPath.endsWith('/') || action === 'files') {
      res.json(await git.listFiles(a, path.replace(/\/+$/, '') || null, version, stage, q(req, 'branch')));
      return true;
    }
    const file = await git.locateFile(a, path, version, stage, q(req, 'branch'));
    const content = await fileContent(a, file.oid, file.size);
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(content.size));
    res.setHeader('ETag', `"${file.oid}"`);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await pipeline(await contentBody(a, content.key), res);
    return true;
  }

  return (req: Request, res: Response, next: NextFunction, onError: (err: unknown) => void): void => {
    const m = ROUTE_RE.exec(req.path);
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    handle(req, res, m).then((handled) => {
      if (!handled) next();
    }, onError);
  };
}
