/**
 * Entry point of the package: repositories by blob-store prefix, their local cache, and the
 * server-wide limit on pack operations.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { BlobStore } from '@hypha/storage';
import { GitRepo } from './git-repo.js';
import { PackOpLimiter } from './limits.js';
import type { SharedLock } from './shared-lock.js';

export interface GitStorageOptions {
  /**
   * The artifact blob store (filesystem or S3), a promise of it while it opens, or a function
   * that opens it, called when the first repository is used.
   */
  store: BlobStore | Promise<BlobStore> | (() => Promise<BlobStore>);
  /** Directory of the local cache repositories (one bare repository per stored repository). */
  cacheDir: string;
  /** `HYPHA_GIT_MAX_CONCURRENT_PACK_OPS`. @default 4 */
  maxConcurrentPackOps?: number;
  /** `HYPHA_GIT_PACK_ACQUIRE_TIMEOUT` in milliseconds. @default 30000 */
  packAcquireTimeoutMs?: number;
  /** Excludes other server instances while a repository changes (needed in a cluster). */
  sharedLock?: SharedLock;
}

/** Reads the reference's environment variables (`HYPHA_GIT_*`). */
export function gitStorageEnv(env: NodeJS.ProcessEnv = process.env): Pick<GitStorageOptions, 'maxConcurrentPackOps' | 'packAcquireTimeoutMs'> {
  const int = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    return n;
  };
  const timeout = int('HYPHA_GIT_PACK_ACQUIRE_TIMEOUT');
  return { maxConcurrentPackOps: int('HYPHA_GIT_MAX_CONCURRENT_PACK_OPS'), packAcquireTimeoutMs: timeout === undefined ? undefined : timeout * 1000 };
}

export class GitStorage {
  readonly limiter: PackOpLimiter;
  private readonly repos = new Map<string, GitRepo>();
  private storePromise: Promise<BlobStore> | null = null;

  constructor(readonly options: GitStorageOptions) {
    this.limiter = new PackOpLimiter(options.maxConcurrentPackOps ?? 4, options.packAcquireTimeoutMs ?? 30_000);
    if (typeof options.store !== 'function') this.openStore();
  }

  private openStore(): Promise<BlobStore> {
    if (this.storePromise) return this.storePromise;
    const store = this.options.store;
    this.storePromise = typeof store === 'function' ? store() : Promise.resolve(store);
    this.storePromise.catch(() => undefined);
    return this.storePromise;
  }

  /** The repository stored under `prefix` (a key prefix ending with `/`). */
  async repo(prefix: string, defaultBranch = 'main'): Promise<GitRepo> {
    if (!prefix.endsWith('/')) throw new Error(`git repository prefix must end with '/', got ${JSON.stringify(prefix)}`);
    let repo = this.repos.get(prefix);
    if (!repo) {
      const store = await this.openStore();
      repo = this.repos.get(prefix);
      if (!repo) {
        const dir = join(this.options.cacheDir, createHash('sha256').update(prefix).digest('hex').slice(0, 32) + '.git');
        repo = new GitRepo({ store, prefix, dir, defaultBranch, sharedLock: this.options.sharedLock });
        this.repos.set(prefix, repo);
      }
    }
    return repo;
  }

  /** Drops a repository from the store and the cache. */
  async remove(prefix: string): Promise<void> {
    const repo = await this.repo(prefix);
    await repo.lock.run(async () => {
      await repo.store.deletePrefix(prefix);
      const { rm } = await import('node:fs/promises');
      await rm(repo.dir, { recursive: true, force: true });
    });
    this.repos.delete(prefix);
  }
}
