/** URLs handed out by `get_file` and `put_file` for git-storage artifacts. */
import { quotePath } from '@hypha/artifacts';
import { checkRepoPath } from '@hypha/git-storage';
import { InvalidArgumentError } from '@hypha/service';
import type { GitArtifact, GitArtifacts } from './git-artifact-files.js';

/** A server URL of a file with a token that may read only that file (a `get_file:` scope). */
export async function fileUrl(git: GitArtifacts, a: GitArtifact, filePath: unknown, version: unknown, stage: unknown, branch: unknown, expiresIn: unknown): Promise<string> {
  const path = checkRepoPath(filePath);
  await git.locateFile(a, path, version, stage === true, branch);
  const ttl = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600;
  const user = a.ctx.user;
  const scoped = { ...user, scope: { ...user.scope, extra_scopes: [`get_file:${a.row.workspace}/${a.row.alias}:${quotePath(path)}`] } };
  const params = new URLSearchParams({ token: git.auth.generateToken(scoped, { expiresIn: ttl }) });
  if (version !== undefined && version !== null) params.set('version', String(version));
  if (stage === true) params.set('stage', 'true');
  if (branch !== undefined && branch !== null) params.set('branch', String(branch));
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${git.publicBaseUrl}/${encodeURIComponent(a.row.workspace)}/artifacts/${encodeURIComponent(a.row.alias ?? a.row.id)}/files/${encoded}?${params}`;
}

/** A presigned URL that uploads a file into the branch staging (put_file). */
export async function uploadUrl(git: GitArtifacts, a: GitArtifact, filePath: unknown, branch: unknown, expiresIn: unknown): Promise<string> {
  const b = await git.stagedBranch(a, branch);
  if (!(await git.staging(a)).branches[b]) {
    throw new InvalidArgumentError(`Artifact ${a.row.workspace}/${a.row.alias} must be in staging mode for branch '${b}'; call edit(stage=True, branch='${b}') first.`);
  }
  const key = await git.stageUpload(a, filePath, b);
  const ttl = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600;
  return a.repo.store.presignPut(key, { expiresIn: ttl });
}

