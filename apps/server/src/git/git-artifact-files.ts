/**
 * File operations of git-storage artifacts: reading and listing at a git ref, per-branch staging
 * (`edit(stage=True, branch=…)`, `write_file`, `remove_file`, `get_status`, `discard_changes`)
 * and committing a branch's staged changes as one git commit.
 */
import type { ArtifactContext, ArtifactManager, ArtifactRow, Operation } from '@hypha/artifacts';
import { parseArtifactId, requireContext } from '@hypha/artifacts';
import { decodeContent, encodeContent } from './git-content.js';
import type { AuthService } from '@hypha/auth';
import type { GitRepo, GitStorage } from '@hypha/git-storage';
import { checkBranch, checkRepoPath, commitChanges, listAllFiles, listTree, readBlob, readDoc, resolveCommit, statFile, updateDoc, writeBlob, writeBlobStream } from '@hypha/git-storage';
import { InvalidArgumentError, NotFoundError } from '@hypha/service';
import { gitDefaultBranch, gitPrefix, isGitArtifact } from './mount-git.js';

/** A staged file: content already in git, a removal, or an upload (put_file) still in the blob store. */
type StagedFile = { oid: string; size: number } | { remove: true } | { upload: string };

export interface StagingDoc {
  active_branch: string | null;
  branches: Record<string, { files: Record<string, StagedFile>; intent?: string | null }>;
}

const EMPTY_STAGING: StagingDoc = { active_branch: null, branches: {} };
const READ_DEFAULT = 64 * 1024;
const READ_MAX = 10 * 1024 * 1024;

export interface GitArtifact {
  row: ArtifactRow;
  repo: GitRepo;
  ctx: ArtifactContext;
  defaultBranch: string;
}

export class GitArtifacts {
  constructor(
    readonly manager: ArtifactManager,
    readonly storage: GitStorage,
    readonly publicBaseUrl: string,
    readonly auth: AuthService,
  ) {}

  /** The artifact's row when it is git-backed (no permission check: only to pick the code path). */
  async gitRow(artifactId: unknown, context: unknown): Promise<ArtifactRow | null> {
    if (typeof artifactId !== 'string' || !context) return null;
    const { db } = await this.manager.access.ready();
    const ws = (context as { ws?: string }).ws ?? '';
    let ref;
    try {
      ref = parseArtifactId(artifactId, ws);
    } catch {
      return null;
    }
    const row = await this.manager.access.find(db, ref);
    return row && isGitArtifact(row) ? row : null;
  }

  /** Loads a git artifact with the permission for `op`. */
  async open(artifactId: unknown, context: unknown, op: Operation): Promise<GitArtifact> {
    const ctx = requireContext(context);
    const { db } = await this.manager.access.ready();
    const { row } = await this.manager.access.loadFor(db, artifactId, ctx, op);
    if (!isGitArtifact(row)) throw new InvalidArgumentError(`Artifact ${row.workspace}/${row.alias} is not a git-storage artifact (config.storage="git")`);
    const defaultBranch = gitDefaultBranch(row);
    return { row, ctx, defaultBranch, repo: await this.storage.repo(gitPrefix(row), defaultBranch) };
  }

  gitUrl(row: ArtifactRow): string {
    return `${this.publicBaseUrl}/${encodeURIComponent(row.workspace)}/git/${encodeURIComponent(row.alias ?? row.id)}`;
  }

  /** Commit of `version` (a branch, tag or commit id; `latest`/none: the default branch), or null in an empty repository. */
  async commitOf(a: GitArtifact, version: unknown): Promise<string | null> {
    await a.repo.sync();
    const ref = version === undefined || version === null || version === '' || version === 'latest' ? a.defaultBranch : String(version);
    const oid = await resolveCommit(a.repo, ref);
    if (!oid && ref !== a.defaultBranch) throw new NotFoundError(`Version '${ref}' does not exist in the git repository of ${a.row.workspace}/${a.row.alias}`);
    return oid;
  }

  /**
   * `versions` of a git artifact in `read`: its branches (the default one marked) and tags, by
   * name, each with the sha its ref points to; empty for an empty repository.
   */
  async versions(a: GitArtifact): Promise<Array<{ type: 'branch' | 'tag'; name: string; sha: string; default?: true }>> {
    const state = await a.repo.sync();
    const head = state.head.startsWith('refs/heads/') ? state.head.slice('refs/heads/'.length) : null;
    const refs = Object.entries(state.refs).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    const out: Array<{ type: 'branch' | 'tag'; name: string; sha: string; default?: true }> = [];
    for (const [ref, sha] of refs) {
      if (ref.startsWith('refs/heads/')) {
        const name = ref.slice('refs/heads/'.length);
        out.push({ type: 'branch', name, sha, ...(name === head ? { default: true as const } : {}) });
      }
    }
    for (const [ref, sha] of refs) if (ref.startsWith('refs/tags/') && !ref.endsWith('^{}')) out.push({ type: 'tag', name: ref.slice('refs/tags/'.length), sha });
    return out;
  }

  staging(a: GitArtifact): Promise<StagingDoc> {
    return readDoc(a.repo, 'staging', EMPTY_STAGING);
  }

  async stagedBranch(a: GitArtifact, branch: unknown): Promise<string> {
    if (branch !== undefined && branch !== null) return checkBranch(branch);
    return (await this.staging(a)).active_branch ?? a.defaultBranch;
  }

  async startStaging(a: GitArtifact, branch: unknown, intent?: string | null): Promise<string> {
    const b = branch === undefined || branch === null ? a.defaultBranch : checkBranch(branch);
    await updateDoc(a.repo, 'staging', EMPTY_STAGING, async (s) => {
      s.branches[b] ??= { files: {}, intent: intent ?? null };
      s.active_branch = b;
      return { value: s, result: undefined };
    });
    return b;
  }

  private async stage(a: GitArtifact, branch: unknown, path: string, file: StagedFile): Promise<string> {
    const b = await this.stagedBranch(a, branch);
    return updateDoc(a.repo, 'staging', EMPTY_STAGING, async (s) => {
      const entry = s.branches[b];
      if (!entry) throw new InvalidArgumentError(`Artifact ${a.row.workspace}/${a.row.alias} must be in staging mode for branch '${b}'; call edit(stage=True, branch='${b}') first.`);
      entry.files[path] = file;
      return { value: s, result: b };
    });
  }

  async writeFile(a: GitArtifact, filePath: unknown, content: unknown, format: unknown, encoding: unknown, branch: unknown) {
    const path = checkRepoPath(filePath);
    const bytes = encodeContent(content, format, encoding);
    // Refuse before storing anything when the branch is not being staged.
    const b = await this.stagedBranch(a, branch);
    if (!(await this.staging(a)).branches[b]) {
      throw new InvalidArgumentError(`Artifact ${a.row.workspace}/${a.row.alias} must be in staging mode for branch '${b}'; call edit(stage=True, branch='${b}') first.`);
    }
    const oid = await a.repo.change(() => writeBlob(a.repo, bytes));
    await this.stage(a, b, path, { oid, size: bytes.length });
    return { success: true, bytes_written: bytes.length, path, size: bytes.length, branch: b };
  }

  async removeFile(a: GitArtifact, filePath: unknown, branch: unknown) {
    const path = checkRepoPath(filePath);
    const b = await this.stage(a, branch, path, { remove: true });
    return { success: true, path, branch: b };
  }

  async readFile(a: GitArtifact, filePath: unknown, format: unknown, encoding: unknown, offset: unknown, limit: unknown, version: unknown, stage: unknown, branch: unknown) {
    const path = checkRepoPath(filePath);
    const fmt = (format ?? 'text') as string;
    if (!['text', 'binary', 'base64', 'json'].includes(fmt)) throw new InvalidArgumentError('format must be "text", "binary", "base64" or "json"');
    const enc = (encoding ?? 'utf-8') as string;
    if (!Buffer.isEncoding(enc)) throw new InvalidArgumentError(`Unknown encoding ${JSON.stringify(encoding)}`);
    const start = offset === undefined || offset === null ? 0 : Number(offset);
    const length = limit === undefined || limit === null ? READ_DEFAULT : Number(limit);
    if (!Number.isInteger(start) || start < 0) throw new InvalidArgumentError('offset must be a non-negative integer');
    if (!Number.isInteger(length) || length < 1 || length > READ_MAX) throw new InvalidArgumentError(`limit must be an integer in 1..${READ_MAX}`);
    let oid: string | null = null;
    let ref = version;
    if (stage === true) {
      const b = await this.stagedBranch(a, branch);
      const staged = (await this.staging(a)).branches[b]?.files[path];
      if (staged && 'remove' in staged) throw new NotFoundError(`File '${path}' not found: it is staged for removal on branch '${b}'`);
      if (staged && 'upload' in staged) oid = await this.uploadToBlob(a, staged.upload);
      else if (staged) oid = staged.oid;
      ref = b;
    }
    if (!oid) {
      const commit = await this.commitOf(a, ref);
      const found = commit ? await statFile(a.repo, commit, path) : null;
      if (!found) throw new NotFoundError(`File '${path}' not found in ${a.row.workspace}/${a.row.alias} at ${String(ref ?? a.defaultBranch)}`);
      oid = found.oid;
    } else {
      await a.repo.sync();
    }
    const all = await readBlob(a.repo, oid);
    const bytes = all.subarray(start, start + length);
    const hasMore = start + bytes.length < all.length;
    const content = decodeContent(bytes, fmt, enc, path, hasMore || start > 0);
    return { name: path, path, format: fmt, content, offset: start, length: bytes.length, size: all.length, has_more: hasMore };
  }

  async listFiles(a: GitArtifact, dirPath: unknown, version: unknown, stage: unknown, branch: unknown) {
    const dir = dirPath === undefined || dirPath === null || dirPath === '' || dirPath === '/' ? '' : checkRepoPath(dirPath, 'dir_path');
    let ref = version;
    let staged: Record<string, StagedFile> = {};
    if (stage === true) {
      const b = await this.stagedBranch(a, branch);
      staged = (await this.staging(a)).branches[b]?.files ?? {};
      ref = b;
    }
    const commit = await this.commitOf(a, ref);
    let entries: Array<Record<string, unknown>> = [];
    if (commit) {
      try {
        entries = (await listTree(a.repo, commit, dir)).map((e) => ({ name: e.name, type: e.type, ...(e.type === 'file' ? { size: e.size } : {}) }));
      } catch (err) {
        if (!(err instanceof NotFoundError) || Object.keys(staged).length === 0) throw err;
      }
    }
    const prefix = dir ? `${dir}/` : '';
    for (const [path, file] of Object.entries(staged)) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      const i = entries.findIndex((e) => e.name === name);
      if ('remove' in file) {
        if (slash < 0 && i >= 0) entries.splice(i, 1);
        continue;
      }
      const size = 'upload' in file ? (await a.repo.store.head(file.upload))?.size : file.size;
      if ('upload' in file && size === undefined) continue; // put_file URL handed out, nothing uploaded yet
      const entry = slash < 0 ? { name, type: 'file', size, staged: true } : { name, type: 'directory', staged: true };
      if (i >= 0) entries[i] = { ...entries[i], ...entry };
      else entries.push(entry);
    }
    return entries;
  }

  /** Commits the staged changes of `branch` (default: the active one); null when nothing is staged. */
  async commitStaged(a: GitArtifact, branch: unknown, comment: unknown): Promise<{ branch: string; sha: string } | null> {
    const doc = await this.staging(a);
    const b = branch === undefined || branch === null ? doc.active_branch : checkBranch(branch);
    if (!b || !doc.branches[b]) return null;
    const files = doc.branches[b].files;
    const message = typeof comment === 'string' && comment ? comment : `Commit staged changes on ${b}`;
    const author = { name: String(a.ctx.user.id), email: a.ctx.user.email ? String(a.ctx.user.email) : `${String(a.ctx.user.id)}@hypha` };
    const sha = await a.repo.change(async () => {
      const changes = [];
      for (const [path, f] of Object.entries(files)) {
        if ('upload' in f) {
          if (!(await a.repo.store.head(f.upload))) continue; // a put_file URL that was never used
          changes.push({ path, oid: await writeBlobStream(a.repo, (await a.repo.store.get(f.upload)).body) });
        } else changes.push({ path, oid: 'remove' in f ? null : f.oid });
      }
      return commitChanges(a.repo, b, changes, message, author);
    });
    await this.clearStaging(a, b);
    await a.repo.store.deletePrefix(`${a.repo.prefix}uploads/${b}/`);
    return { branch: b, sha };
  }

  /** Stores the number of files in `sha`'s tree as the artifact's `file_count`; returns it. */
  async recordFileCount(a: GitArtifact, sha: string): Promise<number> {
    const count = (await listAllFiles(a.repo, sha)).length;
    const { db } = await this.manager.access.ready();
    await db.updateTable('artifacts').set({ file_count: count }).where('id', '=', a.row.id).execute();
    return count;
  }

  async clearStaging(a: GitArtifact, branch: string | null): Promise<void> {
    await updateDoc(a.repo, 'staging', EMPTY_STAGING, async (s) => {
      if (branch === null) return { value: null, result: undefined };
      delete s.branches[branch];
      if (s.active_branch === branch) s.active_branch = Object.keys(s.branches)[0] ?? null;
      return { value: Object.keys(s.branches).length ? s : null, result: undefined };
    });
  }

  /** Stages an upload (put_file): the key its bytes go to, committed into git by `commit`. */
  async stageUpload(a: GitArtifact, filePath: unknown, branch: unknown): Promise<string> {
    const path = checkRepoPath(filePath);
    const b = await this.stagedBranch(a, branch);
    const key = `${a.repo.prefix}uploads/${b}/${path}`;
    await this.stage(a, b, path, { upload: key });
    return key;
  }

  /** The content of a staged upload as a blob of the cache (written there on first read). */
  async uploadToBlob(a: GitArtifact, key: string): Promise<string> {
    if (!(await a.repo.store.head(key))) throw new NotFoundError('File not found: its upload has not arrived yet');
    return a.repo.change(async () => writeBlobStream(a.repo, (await a.repo.store.get(key)).body));
  }

  /** What the file routes serve: the blob of `path` at a ref, or in the branch staging. */
  async locateFile(a: GitArtifact, filePath: string, version: unknown, stage: boolean, branch?: unknown): Promise<{ oid: string; size: number }> {
    const path = checkRepoPath(filePath);
    let ref = version;
    if (stage) {
      const b = await this.stagedBranch(a, branch);
      const staged = (await this.staging(a)).branches[b]?.files[path];
      if (staged && 'remove' in staged) throw new NotFoundError(`File '${path}' not found: it is staged for removal on branch '${b}'`);
      if (staged && 'upload' in staged) {
        const oid = await this.uploadToBlob(a, staged.upload);
        return { oid, size: (await a.repo.store.head(staged.upload))!.size };
      }
      if (staged) {
        await a.repo.sync();
        return staged;
      }
      ref = b;
    }
    const commit = await this.commitOf(a, ref);
    const found = commit ? await statFile(a.repo, commit, path) : null;
    if (!found) throw new NotFoundError(`File '${path}' not found in ${a.row.workspace}/${a.row.alias} at ${String(ref ?? a.defaultBranch)}`);
    return found;
  }

  async status(a: GitArtifact, branch: unknown) {
    const doc = await this.staging(a);
    const branches: Record<string, unknown> = {};
    for (const [name, data] of Object.entries(doc.branches)) {
      const entries = Object.entries(data.files);
      branches[name] = {
        files_added: entries.filter(([, f]) => !('remove' in f)).map(([p]) => p),
        files_removed: entries.filter(([, f]) => 'remove' in f).map(([p]) => p),
        intent: data.intent ?? null,
      };
    }
    if (branch !== undefined && branch !== null) {
      const b = checkBranch(branch);
      if (branches[b]) return { staged: true, active_branch: doc.active_branch, branch: b, ...(branches[b] as object) };
      return { staged: false, active_branch: doc.active_branch, branch: b };
    }
    return { staged: Object.keys(branches).length > 0, active_branch: doc.active_branch, branches };
  }
}
