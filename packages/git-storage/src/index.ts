/**
 * `@hypha/git-storage`: git repositories whose objects and refs live in a Hypha blob store
 * (filesystem or S3), served to stock git clients over smart HTTP with Git LFS, through the
 * system `git` on a local cache.
 *
 * @example
 * const storage = new GitStorage({ store, cacheDir: '/data/git-cache' });
 * const handle = createGitHttpHandler({ storage, authenticate, locate, publicBaseUrl });
 * server.on('request', (req, res) => void handle(req, res, new URL(req.url!, 'http://x').pathname));
 */
export { GitStorage, gitStorageEnv } from './git-storage.js';
export type { GitStorageOptions } from './git-storage.js';
export { GitRepo } from './git-repo.js';
export type { GitRepoOptions } from './git-repo.js';
export { createGitHttpHandler } from './git-http.js';
export type { GitHttpOptions, GitRepoLocation, GitUser } from './git-http.js';
export { GitHttpError, gitToken } from './git-auth.js';
export { GitBusyError, Mutex, PackOpLimiter } from './limits.js';
export { keyValueLock } from './shared-lock.js';
export type { KeyValueLockOptions, LockStore, SharedLock } from './shared-lock.js';
export { GitCommandError, runGit, gitText } from './git-process.js';
export { emptyState, isValidRefName, ZERO_OID } from './repo-state.js';
export type { RepoState } from './repo-state.js';
export { lfsKey, LFS_CONTENT_TYPE } from './lfs.js';
export { blobStream, writeBlobStream, checkBranch, checkRepoPath, commitChanges, deleteRef, listAllFiles, listBranches, listTree, readBlob, resolveCommit, statFile, updateRef, writeBlob } from './repo-files.js';
export type { FileChange, TreeEntry } from './repo-files.js';
export { diffRefs, mergeBranches } from './repo-merge.js';
export type { DiffFile, DiffResult, MergeOutcome, MergeStrategy } from './repo-merge.js';
export { readDoc, updateDoc } from './repo-docs.js';
