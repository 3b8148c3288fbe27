/**
 * Git storage for artifacts (server-api §4.8): an artifact created with `config.storage = "git"`
 * is a repository kept in the artifact blob store under `<ws>/artifacts/<id>/.git/`, served at
 * `/{ws}/git/{alias}/…` to stock git clients. Reads need the artifact's `read` permission,
 * pushes its `commit` permission.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import type { ArtifactManager, ArtifactRow } from '@hypha/artifacts';
import { isArtifactError } from '@hypha/artifacts';
import type { AuthService, UserInfo } from '@hypha/auth';
import { createGitHttpHandler, GitStorage, gitStorageEnv, keyValueLock } from '@hypha/git-storage';
import type { LockStore } from '@hypha/git-storage';
import { isHyphaError, NotFoundError, PermissionDeniedError } from '@hypha/service';
import { sendArtifactError } from '../artifacts/artifact-http-errors.js';
import { GitArtifacts } from './git-artifact-files.js';
import { gitFileRoutes } from './git-file-routes.js';
import type { HttpLog } from '../http/surface-deps.js';

export interface MountGitOptions {
  app: Express;
  manager: ArtifactManager;
  auth: AuthService;
  basePath: string;
  publicBaseUrl: string;
  /** Where the cache repositories live: `<dataDir>/git-cache`, or a temp dir without a data dir. */
  dataDir?: string | null;
  /** The event bus's key-value side: repository changes take a lock there, so a cluster's instances take turns. */
  locks: LockStore;
  log: HttpLog;
}

export const GIT_NOT_ENABLED = "Artifact exists but Git storage is not enabled for it. Recreate the artifact with config.storage='git'.";

/** Whether an artifact row is git-backed. */
export function isGitArtifact(row: Pick<ArtifactRow, 'config'>): boolean {
  return (row.config as Record<string, unknown> | null)?.storage === 'git';
}

/** Blob-store prefix of a git artifact's repository. */
export function gitPrefix(row: Pick<ArtifactRow, 'workspace' | 'id'>): string {
  return `${row.workspace}/artifacts/${row.id}/.git/`;
}

export function gitDefaultBranch(row: Pick<ArtifactRow, 'config'>): string {
  const b = (row.config as Record<string, unknown> | null)?.git_default_branch;
  return typeof b === 'string' && b ? b : 'main';
}

export function mountGit(o: MountGitOptions): GitArtifacts {
  const cacheDir = o.dataDir ? join(o.dataDir, 'git-cache') : join(tmpdir(), `hypha-git-cache-${process.pid}`);
  const storage = new GitStorage({ store: async () => (await o.manager.access.ready()).store, cacheDir, sharedLock: keyValueLock(o.locks), ...gitStorageEnv() });
  const handler = createGitHttpHandler<UserInfo>({
    storage,
    publicBaseUrl: o.publicBaseUrl,
    authenticate: (token) => o.auth.resolveToken(token, { anonymous: 'http' }),
    async locate(workspace, alias, user, write) {
      const { db } = await o.manager.access.ready();
      let row: ArtifactRow;
      try {
        const ctx = { ws: workspace, user, from: `${workspace}/git` };
        ({ row } = await o.manager.access.loadFor(db, `${workspace}/${alias}`, ctx, write ? 'commit' : 'read'));
      } catch (err) {
        if (isArtifactError(err, 'NOT_FOUND')) throw new NotFoundError('Repository not found', { cause: err });
        if (isArtifactError(err, 'PERMISSION_DENIED')) throw new PermissionDeniedError(err.message, { cause: err });
        throw err;
      }
      if (!isGitArtifact(row)) throw new NotFoundError(GIT_NOT_ENABLED);
      return { prefix: gitPrefix(row), defaultBranch: gitDefaultBranch(row) };
    },
    log: (level, message, fields) => o.log(level, message, fields),
  });
  const base = o.basePath.replace(/\/$/, '');
  o.app.use(base || '/', (req, res, next) => {
    if (!req.path.includes('/git/')) return next();
    handler(req, res, req.path).then((handled) => {
      if (!handled) next();
    }, next);
  });
  const artifacts = new GitArtifacts(o.manager, storage, o.publicBaseUrl, o.auth);
  const files = gitFileRoutes(o.auth, artifacts);
  const status: Record<string, number> = { not_found: 404, permission_denied: 403, invalid_argument: 400, conflict: 409 };
  o.app.use(base || '/', (req, res, next) =>
    files(req, res, next, (err) => {
      if (isHyphaError(err) && status[err.code] && !res.headersSent) res.status(status[err.code]!).json({ success: false, detail: `${err.name}: ${err.message}` });
      else sendArtifactError(res, err, o.log);
    }),
  );
  return artifacts;
}
