/** Branches, diffs and pull requests of git-storage artifacts. */
import { randomUUID } from 'node:crypto';
import { checkBranch, deleteRef, diffRefs, listBranches, mergeBranches, readDoc, resolveCommit, updateDoc, updateRef } from '@hypha/git-storage';
import type { MergeStrategy } from '@hypha/git-storage';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@hypha/service';
import type { GitArtifact, GitArtifacts } from './git-artifact-files.js';

export interface PullRequest {
  pr_number: number;
  title: string;
  description: string;
  source_branch: string;
  target_branch: string;
  status: 'open' | 'closed' | 'merged';
  created_by: string;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  merged_at: number | null;
  merged_by: string | null;
  merge_sha: string | null;
  reviews: Review[];
}

export interface Review {
  review_id: string;
  reviewer: string;
  verdict: 'approve' | 'request_changes' | 'comment';
  comment: string;
  created_at: number;
}

interface PullDoc {
  next: number;
  prs: PullRequest[];
}

const EMPTY_PULLS: PullDoc = { next: 1, prs: [] };
const now = () => Date.now() / 1000;

function view(pr: PullRequest): Omit<PullRequest, 'reviews'> & { review_count: number } {
  const { reviews, ...rest } = pr;
  return { ...rest, review_count: reviews.length };
}

function prNumber(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`pr_number must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

export class GitBranches {
  constructor(readonly files: GitArtifacts) {}

  async create(a: GitArtifact, branch: unknown, source: unknown) {
    const name = checkBranch(branch);
    const from = source === undefined || source === null || source === '' ? a.defaultBranch : String(source);
    return a.repo.change(async () => {
      if (await resolveCommit(a.repo, `refs/heads/${name}`)) throw new ConflictError(`Branch '${name}' already exists`);
      const sha = await resolveCommit(a.repo, from);
      if (!sha) throw new NotFoundError(`Source '${from}' does not exist in the repository`);
      await updateRef(a.repo, `refs/heads/${name}`, sha, null);
      return { branch: name, sha, source: from };
    });
  }

  async remove(a: GitArtifact, branch: unknown) {
    const name = checkBranch(branch);
    if (name === a.defaultBranch) throw new InvalidArgumentError(`Cannot delete the default branch '${name}'`);
    await a.repo.change(async () => {
      if (!(await resolveCommit(a.repo, `refs/heads/${name}`))) throw new NotFoundError(`Branch '${name}' does not exist`);
      await deleteRef(a.repo, `refs/heads/${name}`);
    });
    await this.files.clearStaging(a, name);
    return { status: 'deleted', branch: name };
  }

  async list(a: GitArtifact) {
    const branches = await listBranches(a.repo);
    return Object.entries(branches)
      .sort(([x], [y]) => (x === a.defaultBranch ? -1 : y === a.defaultBranch ? 1 : x.localeCompare(y)))
      .map(([name, sha]) => ({ name, sha, default: name === a.defaultBranch }));
  }

  diff(a: GitArtifact, base: unknown, head: unknown, includeContent: unknown, pathFilter: unknown) {
    if (typeof base !== 'string' || !base) throw new InvalidArgumentError('base must be a branch, tag or commit');
    if (typeof head !== 'string' || !head) throw new InvalidArgumentError('head must be a branch, tag or commit');
    return diffRefs(a.repo, base, head, includeContent === true, typeof pathFilter === 'string' && pathFilter ? pathFilter : undefined);
  }

  // ------------------------------------------------------------------ pull requests

  private async updatePr<R>(a: GitArtifact, n: number, fn: (pr: PullRequest) => R | Promise<R>): Promise<R> {
    return updateDoc(a.repo, 'pulls', EMPTY_PULLS, async (doc) => {
      const pr = doc.prs.find((p) => p.pr_number === n);
      if (!pr) throw new NotFoundError(`Pull request #${n} does not exist`);
      const result = await fn(pr);
      pr.updated_at = now();
      return { value: doc, result };
    });
  }

  async createPr(a: GitArtifact, source: unknown, target: unknown, title: unknown, description: unknown) {
    const src = checkBranch(source, 'source_branch');
    const dst = target === undefined || target === null ? a.defaultBranch : checkBranch(target, 'target_branch');
    if (src === dst) throw new InvalidArgumentError('source_branch and target_branch must differ');
    await a.repo.sync();
    for (const b of [src, dst]) if (!(await resolveCommit(a.repo, `refs/heads/${b}`))) throw new NotFoundError(`Branch '${b}' does not exist`);
    if (typeof title !== 'string' || !title.trim()) throw new InvalidArgumentError('title must be a non-empty string');
    return updateDoc(a.repo, 'pulls', EMPTY_PULLS, async (doc) => {
      const t = now();
      const pr: PullRequest = {
        pr_number: doc.next, title, description: typeof description === 'string' ? description : '', source_branch: src, target_branch: dst,
        status: 'open', created_by: String(a.ctx.user.id), created_at: t, updated_at: t, closed_at: null, merged_at: null, merged_by: null,
        merge_sha: null, reviews: [],
      };
      return { value: { next: doc.next + 1, prs: [...doc.prs, pr] }, result: view(pr) };
    });
  }

  async getPr(a: GitArtifact, n: unknown) {
    const num = prNumber(n);
    const pr = (await readDoc(a.repo, 'pulls', EMPTY_PULLS)).prs.find((p) => p.pr_number === num);
    if (!pr) throw new NotFoundError(`Pull request #${num} does not exist`);
    return { ...view(pr), reviews: pr.reviews };
  }

  async listPrs(a: GitArtifact, status: unknown) {
    if (status !== undefined && status !== null && !['open', 'closed', 'merged'].includes(String(status))) {
      throw new InvalidArgumentError(`status must be 'open', 'closed' or 'merged', got ${JSON.stringify(status)}`);
    }
    const prs = (await readDoc(a.repo, 'pulls', EMPTY_PULLS)).prs;
    return prs.filter((p) => status === undefined || status === null || p.status === status).sort((x, y) => y.pr_number - x.pr_number).map(view);
  }

  async updatePrFields(a: GitArtifact, n: unknown, title: unknown, description: unknown) {
    return this.updatePr(a, prNumber(n), (pr) => {
      if (pr.status !== 'open') throw new InvalidArgumentError(`Pull request #${pr.pr_number} is ${pr.status}; only open pull requests can be updated`);
      if (title !== undefined && title !== null) {
        if (typeof title !== 'string' || !title.trim()) throw new InvalidArgumentError('title must be a non-empty string');
        pr.title = title;
      }
      if (description !== undefined && description !== null) pr.description = String(description);
      return view(pr);
    });
  }

  async closePr(a: GitArtifact, n: unknown) {
    return this.updatePr(a, prNumber(n), (pr) => {
      if (pr.status !== 'open') throw new InvalidArgumentError(`Pull request #${pr.pr_number} is already ${pr.status}`);
      pr.status = 'closed';
      pr.closed_at = now();
      return view(pr);
    });
  }

  async submitReview(a: GitArtifact, n: unknown, verdict: unknown, comment: unknown) {
    const v = verdict ?? 'comment';
    if (v !== 'approve' && v !== 'request_changes' && v !== 'comment') throw new InvalidArgumentError(`verdict must be 'approve', 'request_changes' or 'comment', got ${JSON.stringify(verdict)}`);
    return this.updatePr(a, prNumber(n), (pr) => {
      if (pr.status !== 'open') throw new InvalidArgumentError(`Pull request #${pr.pr_number} is ${pr.status}; reviews need an open pull request`);
      const review: Review = { review_id: randomUUID(), reviewer: String(a.ctx.user.id), verdict: v, comment: typeof comment === 'string' ? comment : '', created_at: now() };
      pr.reviews.push(review);
      return review;
    });
  }

  async listReviews(a: GitArtifact, n: unknown) {
    return (await this.getPr(a, n)).reviews;
  }

  async mergePr(a: GitArtifact, n: unknown, strategy: unknown, deleteBranch: unknown) {
    const num = prNumber(n);
    const s = (strategy ?? 'auto') as MergeStrategy;
    const pr = await this.getPr(a, num);
    if (pr.status !== 'open') throw new InvalidArgumentError(`Pull request #${num} is ${pr.status}; only open pull requests can be merged`);
    const outcome = await a.repo.change(() => mergeBranches(a.repo, pr.source_branch, pr.target_branch, s, `Merge pull request #${num}: ${pr.title}`));
    if (outcome.status === 'conflict') return { status: 'conflict', pr_number: num, conflicts: outcome.conflicts };
    const removeSource = deleteBranch !== false && pr.source_branch !== a.defaultBranch;
    if (removeSource) await this.remove(a, pr.source_branch);
    const merged = await this.updatePr(a, num, (p) => {
      p.status = 'merged';
      p.merged_at = now();
      p.merged_by = String(a.ctx.user.id);
      p.merge_sha = outcome.merge_sha;
      return view(p);
    });
    return { ...merged, status: 'merged', merge_type: outcome.merge_type, merge_sha: outcome.merge_sha, source_branch_deleted: removeSource };
  }
}
