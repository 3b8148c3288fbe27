/** Comparing and merging branches with git plumbing (`diff-tree`, `merge-base`, `merge-tree`). */
import { ConflictError, InvalidArgumentError, NotFoundError } from '@hypha/service';
import { gitText, runGit } from './git-process.js';
import type { GitRepo } from './git-repo.js';
import { readBlob, resolveCommit, updateRef } from './repo-files.js';

export interface DiffFile {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  old_path?: string;
  old_content?: string | null;
  new_content?: string | null;
}

export interface DiffResult {
  base: string;
  head: string;
  base_sha: string;
  head_sha: string;
  files: DiffFile[];
  stats: { files_changed: number; additions: number; modifications: number; deletions: number };
}

const STATUS: Record<string, DiffFile['status']> = { A: 'added', M: 'modified', D: 'deleted', T: 'modified' };

async function mustResolve(repo: GitRepo, ref: string, name: string): Promise<string> {
  const oid = await resolveCommit(repo, ref);
  if (!oid) throw new NotFoundError(`${name} '${ref}' does not exist in the repository`);
  return oid;
}

function matches(path: string, filter: string | undefined): boolean {
  if (!filter) return true;
  if (filter.includes('*') || filter.includes('?')) {
    const re = new RegExp('^' + filter.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    return re.test(path);
  }
  return path.includes(filter);
}

/** Text of a blob for a diff: UTF-8, or null for binary or big content. */
async function textOf(repo: GitRepo, oid: string): Promise<string | null> {
  if (/^0+$/.test(oid)) return null;
  const bytes = await readBlob(repo, oid);
  if (bytes.length > 1024 * 1024 || bytes.includes(0)) return null;
  return bytes.toString('utf8');
}

/** Files that differ between `base` and `head` (each a branch, tag or commit). */
export async function diffRefs(repo: GitRepo, base: string, head: string, includeContent = false, pathFilter?: string): Promise<DiffResult> {
  await repo.sync();
  const baseSha = await mustResolve(repo, base, 'base');
  const headSha = await mustResolve(repo, head, 'head');
  const out = await runGit(['diff-tree', '-r', '-z', '--no-renames', baseSha, headSha], { gitDir: repo.dir });
  const parts = out.toString('utf8').split('\0');
  const files: DiffFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = parts[i]!;
    const path = parts[i + 1]!;
    if (!meta.startsWith(':')) break;
    const [, , oldOid, newOid, code] = meta.slice(1).split(' ');
    const status = STATUS[code!.charAt(0)] ?? 'modified';
    if (!matches(path, pathFilter)) continue;
    const f: DiffFile = { path, status };
    if (includeContent) {
      f.old_content = status === 'added' ? null : await textOf(repo, oldOid!);
      f.new_content = status === 'deleted' ? null : await textOf(repo, newOid!);
    }
    files.push(f);
  }
  const count = (s: DiffFile['status']) => files.filter((f) => f.status === s).length;
  return {
    base,
    head,
    base_sha: baseSha,
    head_sha: headSha,
    files,
    stats: { files_changed: files.length, additions: count('added'), modifications: count('modified'), deletions: count('deleted') },
  };
}

export type MergeStrategy = 'auto' | 'fast-forward' | 'merge';

export type MergeOutcome =
  | { status: 'merged'; merge_type: 'fast-forward' | 'merge' | 'up-to-date'; merge_sha: string }
  | { status: 'conflict'; conflicts: string[] };

/**
 * Merges `source` into branch `target`. Call inside {@link GitRepo.change}. A conflicting merge
 * changes nothing and lists the conflicting paths.
 */
export async function mergeBranches(
  repo: GitRepo,
  source: string,
  target: string,
  strategy: MergeStrategy,
  message: string,
): Promise<MergeOutcome> {
  if (!['auto', 'fast-forward', 'merge'].includes(strategy)) {
    throw new InvalidArgumentError(`merge_strategy must be 'auto', 'fast-forward' or 'merge', got ${JSON.stringify(strategy)}`);
  }
  const targetRef = `refs/heads/${target}`;
  const src = await mustResolve(repo, `refs/heads/${source}`, 'source branch');
  const dst = await mustResolve(repo, targetRef, 'target branch');
  const isAncestor = (a: string, b: string) => runGit(['merge-base', '--is-ancestor', a, b], { gitDir: repo.dir }).then(() => true, () => false);
  if (await isAncestor(src, dst)) return { status: 'merged', merge_type: 'up-to-date', merge_sha: dst };
  const canFastForward = await isAncestor(dst, src);
  if (canFastForward && strategy !== 'merge') {
    await updateRef(repo, targetRef, src, dst);
    return { status: 'merged', merge_type: 'fast-forward', merge_sha: src };
  }
  if (strategy === 'fast-forward') throw new ConflictError(`Cannot fast-forward ${target} to ${source}: the branches have diverged`);
  const result = await runGit(['merge-tree', '--write-tree', '--name-only', dst, src], { gitDir: repo.dir, okCodes: [1] });
  const lines = result.toString('utf8').split('\n');
  const tree = lines[0]!.trim();
  const conflicts: string[] = [];
  for (const line of lines.slice(1)) {
    if (!line) break;
    if (!conflicts.includes(line)) conflicts.push(line);
  }
  if (conflicts.length > 0) return { status: 'conflict', conflicts };
  const commit = await gitText(['commit-tree', tree, '-p', dst, '-p', src, '-m', message], { gitDir: repo.dir });
  await updateRef(repo, targetRef, commit, dst);
  return { status: 'merged', merge_type: 'merge', merge_sha: commit };
}
