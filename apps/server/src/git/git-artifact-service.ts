/**
 * Git methods of `public/artifact-manager` (server-api §4.4, §4.8): the branch, diff and
 * pull-request methods, plus git-aware versions of `read`, `edit`, `commit`, `list_files`,
 * `read_file`, `write_file` and `remove_file` that handle git-storage artifacts and pass every
 * other artifact to the original method unchanged.
 */
import { ACCEPTS_KWARGS, defineMethod, defineService, toRpcService, Type } from '@hypha/service';
import type { CallContext, MethodDef, ParamsSpec } from '@hypha/service';
import { GitBranches } from './git-artifact-branches.js';
import type { GitArtifacts } from './git-artifact-files.js';
import { fileUrl, uploadUrl } from './git-file-urls.js';

type AnyFn = (...args: unknown[]) => unknown;
const Id = Type.String({ description: "Artifact id: 'workspace/alias', 'alias' or a uuid." });
/** A TypeBox schema (what `@hypha/service`'s `Type` builds). */
type Schema = ParamsSpec[string];
const opt = <S extends Schema = ReturnType<typeof Type.Any>>(description: string, schema?: S) => Type.Optional({ ...(schema ?? Type.Any()), description } as S);
const Str = () => Type.String();
const Bool = () => Type.Boolean();
const Int = () => Type.Integer();
const Branch = opt('Branch name (git-storage artifacts).', Str());
const PrNumber = Type.Integer({ description: 'Pull request number.' });

/** `version='stage'` names the staged state, as for other artifacts, not a git ref called "stage". */
function stageVersion(args: Record<string, any>): Record<string, any> {
  return args.version === 'stage' ? { ...args, version: undefined, stage: true } : args;
}

/** Calls the original method with the arguments bound by name. */
function callOriginal(original: AnyFn, names: readonly string[], args: Record<string, unknown>, ctx: CallContext): unknown {
  if ((original as unknown as Record<string, unknown>)[ACCEPTS_KWARGS]) {
    const kwargs: Record<string, unknown> = { _rkwargs: true };
    for (const n of names) if (args[n] !== undefined) kwargs[n] = args[n];
    return original(kwargs, ctx);
  }
  const positional = names.map((n) => args[n]);
  while (positional.length < original.length - 1) positional.push(undefined);
  return original(...positional.slice(0, Math.max(original.length - 1, 0)), ctx);
}

/**
 * The parameters of a git-aware method: those the original method declares keep its schema
 * (type, description, required), so clients see one declaration; git-only ones are `own`'s.
 */
function declaredLike<P extends Record<string, Schema>>(original: AnyFn, own: P): P {
  const declared = (original as unknown as { __schema__?: { parameters?: { properties?: Record<string, object>; required?: string[] } } }).__schema__?.parameters;
  const out: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(own)) {
    const theirs = declared?.properties?.[name];
    if (theirs === undefined) out[name] = schema;
    else out[name] = (declared?.required ?? []).includes(name) ? (Type.Unsafe(theirs) as Schema) : (Type.Optional(Type.Unsafe(theirs)));
  }
  return out as P;
}

export function withGitMethods(service: Record<string, unknown>, git: GitArtifacts): Record<string, unknown> {
  const branches = new GitBranches(git);
  const original = (name: string) => service[name] as AnyFn;

  /** A method that takes the git path for git-storage artifacts and the original path otherwise. */
  function dispatch(name: string, description: string, params: Record<string, Schema>, handler: (args: Record<string, any>, ctx: CallContext) => Promise<unknown>): MethodDef<any, any, any> {
    const orig = original(name);
    const names = Object.keys(params);
    return defineMethod({
      description,
      params: declaredLike(orig, params),
      permission: 'none',
      handler: async (args: Record<string, any>, ctx: CallContext) => ((await git.gitRow(args.artifact_id, ctx)) ? handler(stageVersion(args), ctx) : callOriginal(orig, names, args, ctx)),
    });
  }

  const def = defineService({
    id: 'artifact-manager',
    name: 'Artifact Manager',
    description: 'Git methods of the artifact manager.',
    methods: {
      read: dispatch('read', 'Read an artifact; git-storage artifacts also give git_url, and version may be a git ref.',
        { artifact_id: Id, silent: opt('Do not count the view.'), version: opt('Version, or a git ref for git-storage artifacts.'), stage: opt('Read the staged version.') },
        async (a, ctx) => {
          const g = await git.open(a.artifact_id, ctx, 'read');
          const sha = a.version !== undefined && a.version !== null ? await git.commitOf(g, a.version) : null;
          const view = (await callOriginal(original('read'), ['artifact_id', 'silent', 'stage'], { artifact_id: a.artifact_id, silent: a.silent, stage: a.stage }, ctx)) as Record<string, unknown>;
          // As the reference: versions of a git artifact are its branches and tags.
          return { ...view, versions: await git.versions(g), git_url: git.gitUrl(g.row), ...(sha ? { git_ref: a.version, git_commit: sha } : {}) };
        }),
      edit: dispatch('edit', 'Edit an artifact; for git-storage artifacts stage=True starts per-branch staging.',
        { artifact_id: Id, manifest: opt('New manifest.'), type: opt('New type.'), config: opt('New config.'), secrets: opt('New secrets.'), version: opt('Version.'), comment: opt('Comment.'), stage: opt('Start staging.'), branch: Branch },
        async (a, ctx) => {
          const g = await git.open(a.artifact_id, ctx, 'edit');
          let result: unknown = null;
          if ([a.manifest, a.type, a.config, a.secrets].some((v) => v !== undefined && v !== null)) {
            result = await callOriginal(original('edit'), ['artifact_id', 'manifest', 'type', 'config', 'secrets', 'comment'], a, ctx);
          }
          if (a.stage === true || (a.branch !== undefined && a.branch !== null)) await git.startStaging(g, a.branch);
          return result;
        }),
      commit: dispatch('commit', 'Commit staged changes; for git-storage artifacts, one git commit on the staged branch.',
        { artifact_id: Id, version: opt('Version name.'), comment: opt('Commit message.'), branch: Branch },
        async (a, ctx) => {
          const g = await git.open(a.artifact_id, ctx, 'commit');
          const done = await git.commitStaged(g, a.branch, a.comment);
          if (!done) return callOriginal(original('commit'), ['artifact_id', 'version', 'comment'], a, ctx);
          await git.recordFileCount(g, done.sha);
          const view = (await callOriginal(original('read'), ['artifact_id', 'silent'], { artifact_id: a.artifact_id, silent: true }, ctx)) as Record<string, unknown>;
          return { ...view, git_url: git.gitUrl(g.row), commit: done.sha, branch: done.branch };
        }),
      list_files: dispatch('list_files', 'List files; for git-storage artifacts at a git ref, or the staged overlay of a branch.',
        { artifact_id: Id, dir_path: opt('Directory.'), limit: opt('Most entries.'), version: opt('Version or git ref.'), stage: opt('Include staged files.'), branch: Branch, include_pending: opt('Include pending uploads.'), offset: opt('Entries to skip.') },
        async (a, ctx) => {
          const entries = await git.listFiles(await git.open(a.artifact_id, ctx, 'list_files'), a.dir_path, a.version, a.stage, a.branch);
          const offset = Number.isInteger(a.offset) && a.offset > 0 ? a.offset : 0;
          const limit = Number.isInteger(a.limit) && a.limit > 0 ? a.limit : 1000;
          return entries.slice(offset, offset + limit);
        }),
      read_file: dispatch('read_file', 'Read a file; for git-storage artifacts at a git ref, or staged on a branch.',
        { artifact_id: Id, file_path: opt('File path.'), format: opt('text, binary, base64 or json.'), encoding: opt('Text encoding.'), offset: opt('Byte offset.'), limit: opt('Most bytes.'), version: opt('Version or git ref.'), stage: opt('Read staged content.'), branch: Branch },
        async (a, ctx) => git.readFile(await git.open(a.artifact_id, ctx, 'get_file'), a.file_path, a.format, a.encoding, a.offset, a.limit, a.version, a.stage, a.branch)),
      write_file: dispatch('write_file', 'Write a file into staging; for git-storage artifacts into the branch staging.',
        { artifact_id: Id, file_path: opt('File path.'), content: opt('Content.'), format: opt('text, binary, base64 or json.'), encoding: opt('Text encoding.'), branch: Branch },
        async (a, ctx) => git.writeFile(await git.open(a.artifact_id, ctx, 'put_file'), a.file_path, a.content, a.format, a.encoding, a.branch)),
      remove_file: dispatch('remove_file', 'Remove a file from staging; for git-storage artifacts, stage its removal on the branch.',
        { artifact_id: Id, file_path: opt('File path.'), branch: Branch },
        async (a, ctx) => git.removeFile(await git.open(a.artifact_id, ctx, 'remove_file'), a.file_path, a.branch)),
      get_file: dispatch('get_file', 'URL of a file; for git-storage artifacts a server URL carrying a token good for that file only.',
        { artifact_id: Id, file_path: opt('File path.'), silent: opt('Do not count the download.'), version: opt('Version or git ref.'), stage: opt('The staged file.'), branch: Branch, use_proxy: opt('Serve through the server.'), use_local_url: opt('Use the local URL.'), expires_in: opt('URL lifetime in seconds.') },
        async (a, ctx) => fileUrl(git, await git.open(a.artifact_id, ctx, 'get_file'), a.file_path, a.version, a.stage, a.branch, a.expires_in)),
      put_file: dispatch('put_file', 'URL to upload a file into staging; for git-storage artifacts into the branch staging, committed by commit().',
        { artifact_id: Id, file_path: opt('File path.'), download_weight: opt('Download weight.'), use_proxy: opt('Upload through the server.'), use_local_url: opt('Use the local URL.'), expires_in: opt('URL lifetime in seconds.'), branch: Branch },
        async (a, ctx) => uploadUrl(git, await git.open(a.artifact_id, ctx, 'put_file'), a.file_path, a.branch, a.expires_in)),
      get_status: defineMethod({
        description: 'Staging status of a git-storage artifact: branches with staged changes and their files.',
        params: { artifact_id: Id, branch: Branch },
        permission: 'none',
        handler: async (a, ctx) => git.status(await git.open(a.artifact_id, ctx, 'get_file'), a.branch),
      }),
      discard_changes: defineMethod({
        description: 'Discard the staged changes of one branch, or of all branches.',
        params: { artifact_id: Id, branch: Branch },
        permission: 'none',
        handler: async (a, ctx) => {
          const g = await git.open(a.artifact_id, ctx, 'edit');
          const status = await git.status(g, undefined);
          if (!status.staged) return { status: 'nothing_to_discard' };
          await git.clearStaging(g, a.branch === undefined || a.branch === null ? null : String(a.branch));
          return { status: 'discarded', branch: a.branch ?? 'all' };
        },
      }),
      create_branch: defineMethod({
        description: 'Create a branch from a source branch, tag or commit (default: the default branch).',
        params: { artifact_id: Id, branch: Type.String({ description: 'New branch name.' }), source: opt('Branch, tag or commit to start from.', Str()) },
        permission: 'none',
        handler: async (a, ctx) => branches.create(await git.open(a.artifact_id, ctx, 'commit'), a.branch, a.source),
      }),
      delete_branch: defineMethod({
        description: 'Delete a branch (not the default branch).',
        params: { artifact_id: Id, branch: Type.String({ description: 'Branch to delete.' }) },
        permission: 'none',
        handler: async (a, ctx) => branches.remove(await git.open(a.artifact_id, ctx, 'commit'), a.branch),
      }),
      list_branches: defineMethod({
        description: 'Branches with their head commit; the default branch is marked default=True.',
        params: { artifact_id: Id },
        permission: 'none',
        handler: async (a, ctx) => branches.list(await git.open(a.artifact_id, ctx, 'read')),
      }),
      get_diff: defineMethod({
        description: 'Files that differ between two refs, with stats; optionally their content, filtered by path.',
        params: { artifact_id: Id, base: Type.String({ description: 'Base ref.' }), head: Type.String({ description: 'Head ref.' }), include_content: opt('Include old_content/new_content.', Bool()), path_filter: opt('Only paths containing this (or matching this glob).', Str()) },
        permission: 'none',
        handler: async (a, ctx) => branches.diff(await git.open(a.artifact_id, ctx, 'read'), a.base, a.head, a.include_content, a.path_filter),
      }),
      create_pr: defineMethod({
        description: 'Open a pull request from source_branch into target_branch.',
        params: { artifact_id: Id, title: Type.String({ description: 'Title.' }), source_branch: Type.String({ description: 'Branch with the changes.' }), target_branch: opt('Branch to merge into (default: the default branch).', Str()), description: opt('Description.', Str()) },
        permission: 'none',
        handler: async (a, ctx) => branches.createPr(await git.open(a.artifact_id, ctx, 'commit'), a.source_branch, a.target_branch, a.title, a.description),
      }),
      get_pr: defineMethod({
        description: 'A pull request with its reviews.',
        params: { artifact_id: Id, pr_number: PrNumber },
        permission: 'none',
        handler: async (a, ctx) => branches.getPr(await git.open(a.artifact_id, ctx, 'read'), a.pr_number),
      }),
      list_prs: defineMethod({
        description: 'Pull requests, newest first, optionally by status (open, closed, merged).',
        params: { artifact_id: Id, status: opt('open, closed or merged.', Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('merged')])), limit: opt('Most results.', Int()), offset: opt('Results to skip.', Int()) },
        permission: 'none',
        handler: async (a, ctx) => {
          const all = await branches.listPrs(await git.open(a.artifact_id, ctx, 'read'), a.status);
          const offset = typeof a.offset === 'number' && Number.isInteger(a.offset) && a.offset > 0 ? a.offset : 0;
          const limit = typeof a.limit === 'number' && Number.isInteger(a.limit) && a.limit > 0 ? a.limit : null;
          return all.slice(offset, limit === null ? undefined : offset + limit);
        },
      }),
      update_pr: defineMethod({
        description: 'Change the title or description of an open pull request.',
        params: { artifact_id: Id, pr_number: PrNumber, title: opt('New title.', Str()), description: opt('New description.', Str()) },
        permission: 'none',
        handler: async (a, ctx) => branches.updatePrFields(await git.open(a.artifact_id, ctx, 'commit'), a.pr_number, a.title, a.description),
      }),
      close_pr: defineMethod({
        description: 'Close an open pull request without merging.',
        params: { artifact_id: Id, pr_number: PrNumber, comment: opt('Closing comment.', Str()) },
        permission: 'none',
        handler: async (a, ctx) => branches.closePr(await git.open(a.artifact_id, ctx, 'commit'), a.pr_number),
      }),
      merge_pr: defineMethod({
        description: 'Merge an open pull request (auto, fast-forward or merge); a conflict changes nothing and lists the paths.',
        params: { artifact_id: Id, pr_number: PrNumber, merge_strategy: opt('auto (default), fast-forward or merge.', Type.Union([Type.Literal('auto'), Type.Literal('fast-forward'), Type.Literal('merge')])), comment: opt('Merge comment.', Str()), delete_branch: opt('Delete the source branch after merging (default True).', Bool()) },
        permission: 'none',
        handler: async (a, ctx) => branches.mergePr(await git.open(a.artifact_id, ctx, 'commit'), a.pr_number, a.merge_strategy, a.delete_branch),
      }),
      submit_review: defineMethod({
        description: 'Review an open pull request: approve, request_changes or comment.',
        params: { artifact_id: Id, pr_number: PrNumber, verdict: opt('approve, request_changes or comment.', Type.Union([Type.Literal('approve'), Type.Literal('request_changes'), Type.Literal('comment')])), comment: opt('Review text.', Str()) },
        permission: 'none',
        handler: async (a, ctx) => branches.submitReview(await git.open(a.artifact_id, ctx, 'read'), a.pr_number, a.verdict, a.comment),
      }),
      list_reviews: defineMethod({
        description: 'Reviews of a pull request, oldest first.',
        params: { artifact_id: Id, pr_number: PrNumber },
        permission: 'none',
        handler: async (a, ctx) => branches.listReviews(await git.open(a.artifact_id, ctx, 'read'), a.pr_number),
      }),
    },
  });
  const rpc = toRpcService(def, { authorize: () => undefined });
  const out = { ...service };
  for (const name of Object.keys(def.methods)) out[name] = rpc[name];
  return out;
}
