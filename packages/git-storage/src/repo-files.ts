/**
 * File-level operations on a repository with git plumbing: resolving refs, listing trees,
 * reading blobs, and committing a set of changes to a branch (with an old-value check, so a
 * concurrent push is never overwritten).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@hypha/service';
import { GitCommandError, gitText, runGit } from './git-process.js';
import type { GitRepo } from './git-repo.js';
import { isOid, isValidRefName } from './repo-state.js';

export interface TreeEntry {
  name: string;
  type: 'file' | 'directory';
  size?: number;
  /** Blob or tree id. */
  oid: string;
  mode: string;
}

/** A change to commit: `oid` of a blob already in the repository, or null to remove the path. */
export interface FileChange {
  path: string;
  oid: string | null;
}

/**
 * Checks a file path inside a repository: relative, `/`-separated, no `.`/`..` or empty segments,
 * no `.git` component, no control characters. @throws InvalidArgumentError
 */
export function checkRepoPath(path: unknown, name = 'file_path'): string {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError(`${name} must be a non-empty string`);
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = clean.split('/');
  if (!clean || path.includes('\\') || /[\x00-\x1f\x7f]/.test(path) || parts.some((p) => p === '' || p === '.' || p === '..' || p.toLowerCase() === '.git')) {
    throw new InvalidArgumentError(`Invalid ${name} ${JSON.stringify(path)}: path traversal and empty, '.', '..' or '.git' segments are not allowed`);
  }
  return clean;
}

/** Checks a branch name. @throws InvalidArgumentError */
export function checkBranch(branch: unknown, name = 'branch'): string {
  if (typeof branch !== 'string' || !branch || !isValidRefName(`refs/heads/${branch}`)) {
    throw new InvalidArgumentError(`Invalid ${name} name ${JSON.stringify(branch)}`);
  }
  return branch;
}

/**
 * The commit a ref names: a branch, a tag, `HEAD`, or a full or abbreviated commit id; null when
 * the repository has no such commit.
 */
export async function resolveCommit(repo: GitRepo, ref: string): Promise<string | null> {
  if (!ref || ref.startsWith('-') || /[\x00-\x20~^:?*[\\]/.test(ref)) return null;
  const candidates = ref === 'HEAD' ? ['HEAD'] : [`refs/heads/${ref}`, `refs/tags/${ref}`, ref];
  for (const c of candidates) {
    const out = await runGit(['rev-parse', '--verify', '--quiet', `${c}^{commit}`], { gitDir: repo.dir, okCodes: [1, 128] });
    const oid = out.toString('utf8').trim();
    if (isOid(oid)) return oid;
  }
  return null;
}

/** Entries of `dir` (repository root when empty) at `commit`, directories first. */
export async function listTree(repo: GitRepo, commit: string, dir = ''): Promise<TreeEntry[]> {
  const target = dir ? `${commit}:${dir}` : `${commit}^{tree}`;
  const type = (await runGit(['cat-file', '-t', target], { gitDir: repo.dir, okCodes: [128] })).toString('utf8').trim();
  if (type !== 'tree') throw new NotFoundError(`Directory '${dir}' does not exist`);
  const out = await runGit(['ls-tree', '-l', '-z', target], { gitDir: repo.dir });
  const entries: TreeEntry[] = [];
  for (const rec of out.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, kind, oid, size] = rec.slice(0, tab).split(/\s+/);
    const name = rec.slice(tab + 1);
    if (kind === 'tree') entries.push({ name, type: 'directory', oid: oid!, mode: mode! });
    else if (kind === 'blob') entries.push({ name, type: 'file', size: Number(size), oid: oid!, mode: mode! });
  }
  return entries;
}

/** Every file path under the commit's tree (recursive). */
export async function listAllFiles(repo: GitRepo, commit: string): Promise<Array<{ path: string; oid: string; size: number }>> {
  const out = await runGit(['ls-tree', '-r', '-l', '-z', commit], { gitDir: repo.dir });
  return out.toString('utf8').split('\0').filter(Boolean).map((rec) => {
    const tab = rec.indexOf('\t');
    const [, , oid, size] = rec.slice(0, tab).split(/\s+/);
    return { path: rec.slice(tab + 1), oid: oid!, size: Number(size) };
  });
}

/** The blob id and size of `path` at `commit`, or null when there is no such file. */
export async function statFile(repo: GitRepo, commit: string, path: string): Promise<{ oid: string; size: number } | null> {
  const out = await runGit(['ls-tree', '-l', '-z', commit, '--', path], { gitDir: repo.dir });
  const rec = out.toString('utf8').split('\0')[0];
  if (!rec) return null;
  const [, kind, oid, size] = rec.slice(0, rec.indexOf('\t')).split(/\s+/);
  if (kind !== 'blob') return null;
  return { oid: oid!, size: Number(size) };
}

export async function readBlob(repo: GitRepo, oid: string): Promise<Buffer> {
  return runGit(['cat-file', 'blob', oid], { gitDir: repo.dir });
}

/** Writes a blob into the cache (call inside {@link GitRepo.change} so it is stored). */
export async function writeBlob(repo: GitRepo, bytes: Uint8Array): Promise<string> {
  return gitText(['hash-object', '-w', '--stdin'], { gitDir: repo.dir, input: bytes });
}

/**
 * Commits `changes` on top of `branch` (creating it from nothing when it has no commit yet) and
 * moves the branch, failing if it moved meanwhile. Call inside {@link GitRepo.change}.
 * @returns the new commit id
 */
export async function commitChanges(
  repo: GitRepo,
  branch: string,
  changes: FileChange[],
  message: string,
  author?: { name: string; email: string },
): Promise<string> {
  const ref = `refs/heads/${checkBranch(branch)}`;
  const parent = await resolveCommit(repo, ref);
  const work = await mkdtemp(join(tmpdir(), 'hypha-git-index-'));
  const env: Record<string, string> = { GIT_INDEX_FILE: join(work, 'index') };
  if (author) Object.assign(env, { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email });
  try {
    if (parent) await runGit(['read-tree', parent], { gitDir: repo.dir, env });
    else await runGit(['read-tree', '--empty'], { gitDir: repo.dir, env });
    const lines = changes.map((c) => (c.oid ? `100644 ${c.oid}\t${c.path}` : `0 ${'0'.repeat(40)}\t${c.path}`)).join('\0');
    if (lines) await runGit(['update-index', '-z', '--index-info'], { gitDir: repo.dir, env, input: lines + '\0' });
    const tree = await gitText(['write-tree'], { gitDir: repo.dir, env });
    const args = ['commit-tree', tree, '-m', message];
    if (parent) args.push('-p', parent);
    const commit = await gitText(args, { gitDir: repo.dir, env });
    await updateRef(repo, ref, commit, parent);
    return commit;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Moves `ref` to `oid` if it still points at `expected` (null: must not exist). */
export async function updateRef(repo: GitRepo, ref: string, oid: string, expected: string | null): Promise<void> {
  try {
    await runGit(['update-ref', ref, oid, expected ?? ''], { gitDir: repo.dir });
  } catch (err) {
    if (err instanceof GitCommandError) throw new InvalidArgumentError(`Branch ${ref.replace('refs/heads/', '')} moved while committing; retry`, { cause: err });
    throw err;
  }
}

export async function deleteRef(repo: GitRepo, ref: string): Promise<void> {
  await runGit(['update-ref', '-d', ref], { gitDir: repo.dir });
}

/** Branch name to head commit. */
export async function listBranches(repo: GitRepo): Promise<Record<string, string>> {
  const state = await repo.sync();
  const out: Record<string, string> = {};
  for (const [name, oid] of Object.entries(state.refs)) if (name.startsWith('refs/heads/')) out[name.slice(11)] = oid;
  return out;
}
