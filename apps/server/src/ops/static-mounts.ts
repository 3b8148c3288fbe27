/**
 * `--static-mounts /route:DIR` (server-api §7.2): files of DIR under `<base-path>/route/`. A request
 * can never leave DIR: `..` segments (also percent-encoded) are refused, and every path is
 * resolved through symlinks and must still lie inside the real DIR.
 */
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { StaticMount } from '../ops-config.js';

function notFound(res: Response, path: string): void {
  res.status(404).json({ success: false, detail: `Not found: ${path}` });
}

/** The file a request path names inside `root` (a real path), or null when there is none or it would escape. */
export async function resolveInside(root: string, requestPath: string): Promise<string | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  let real: string;
  try {
    real = await realpath(join(root, ...parts));
  } catch {
    return null;
  }
  if (real !== root && !real.startsWith(root + sep)) return null;
  const info = await stat(real);
  if (info.isDirectory()) return resolveInside(root, [...parts, 'index.html'].join('/'));
  return info.isFile() ? real : null;
}

/** A router serving one mount; DIR must exist when the server starts. */
export async function staticMountRouter(mount: StaticMount): Promise<Router> {
  let root: string;
  try {
    root = await realpath(mount.dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new Error(`--static-mounts ${mount.route}:${mount.dir}: ${mount.dir} is not a readable directory (${(err as Error).message})`);
  }
  const router = Router();
  router.get(`${mount.route}{/*path}`, async (req: Request, res: Response) => {
    const raw = new URL(req.originalUrl, 'http://localhost').pathname;
    const idx = raw.indexOf(mount.route);
    const file = await resolveInside(root, raw.slice(idx + mount.route.length));
    if (!file) {
      notFound(res, req.path);
      return;
    }
    res.sendFile(file, { dotfiles: 'allow' });
  });
  return router;
}
