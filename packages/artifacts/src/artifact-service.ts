/**
 * The `artifact-manager` service, declared with `@hypha/service`: one `defineMethod` per method,
 * keyword names exactly the reference's (Python clients call with keyword arguments). Every
 * method says `permission: 'none'` because what it needs depends on the artifact; the manager
 * checks it. `artifactMethods` is a plain map, so other storage kinds (git, vector collections)
 * add their methods with `defineArtifactService(manager, files, extraMethods)`.
 */
import { defineMethod, defineService, Type } from '@hypha/service';
import type { MethodMap, ParamsSpec, ServiceDef } from '@hypha/service';
/** A TypeBox schema (the type `@hypha/service`'s `Type` builds). */
type TSchema = ParamsSpec[string];
import type { ArtifactManager } from './artifact-manager.js';
import type { ArtifactFiles } from './artifact-files.js';
import { invalid } from './errors.js';

const opt = (description: string, schema: TSchema = Type.Any()) => Type.Optional({ ...schema, description });
const req = (description: string, schema: TSchema = Type.Any()) => ({ ...schema, description });

const ID = req("Artifact id: 'workspace/alias', an alias in the caller's workspace, or the UUID.", Type.String());
const VERSION = opt("A committed version ('v1', an index, 'latest') or 'stage'.");
const STAGE = opt('Act on the staged (uncommitted) state.', Type.Boolean());
const BRANCH = opt('Git branch (only for config.storage="git" artifacts).', Type.String());
const FILE = req("Path inside the artifact, e.g. 'data/a.csv' (a list for batches where allowed).");
const USE_PROXY = opt('Serve through this server instead of a presigned store URL.');
const LOCAL_URL = opt("Use the server's local URL (True) or this base URL.");
const EXPIRES = opt('Seconds the URL stays valid.', Type.Number());
const WEIGHT = opt('How much one download of this file adds to download_count.', Type.Number());
const LIST = {
  parent_id: opt('Collection whose children to list (default: the root artifacts of the workspace).', Type.String()),
  keywords: opt('Words to look for in the manifests.'),
  filters: opt('Field filters: type, manifest.<key> (globs, $in, $all, $like), created_at ranges, version ...'),
  mode: opt('How filters and keywords combine: AND or OR.', Type.String()),
  offset: opt('Items to skip.', Type.Integer()),
  limit: opt('At most this many items.', Type.Integer()),
  order_by: opt("Sort field, with '<' (ascending) or '>' (descending).", Type.String()),
};

function noBranch(branch: unknown): void {
  if (branch !== undefined && branch !== null) throw invalid('branch is only for git-backed artifacts (config.storage="git"), which this server does not support');
}

type Ctx = never;

/** The methods of the artifact manager, by name. */
export function artifactMethods(m: ArtifactManager, f: ArtifactFiles): MethodMap {
  const method = <P extends Record<string, TSchema>>(description: string, params: P, handler: (a: Record<string, any>, ctx: Ctx) => unknown) =>
    defineMethod({ description, params, permission: 'none', handler: handler as never });
  return {
    create: method('Creates an artifact or collection, committed (v0) or staged (stage=True).', {
      alias: opt("Alias, 'workspace/alias', or a template with {uuid}, {timestamp}, {user_id} or id_parts.", Type.String()),
      artifact_id: opt("Full id 'workspace/alias' (instead of alias + workspace).", Type.String()),
      workspace: opt('Workspace to create it in (default: the parent’s or the caller’s).', Type.String()),
      parent_id: opt('Collection to create it in.', Type.String()),
      manifest: opt('Metadata (name, description, ...).'),
      type: opt("'generic', 'collection', 'dataset', 'model', 'application' ...", Type.String()),
      config: opt('permissions, collection_schema, list_fields, id_parts, download_weights ...'),
      secrets: opt('Secrets, readable with get_secret only.'),
      version: opt("Name of the first version, or 'stage'.", Type.String()),
      comment: opt('Comment of the first version.', Type.String()),
      overwrite: opt('Replace an artifact with the same alias.', Type.Boolean()),
      stage: STAGE,
    }, (a, c) => m.create(a.alias, a.artifact_id, a.workspace, a.parent_id, a.manifest, a.type, a.config, a.secrets, a.version, a.comment, a.overwrite, a.stage, c)),
    edit: method("Edits an artifact: in place, as a new version (version='new') or staged (stage=True).", {
      artifact_id: ID, manifest: opt('New manifest.'), type: opt('New type.', Type.String()), config: opt('New config.'),
      secrets: opt('New secrets.'), version: opt("'new' or 'stage'.", Type.String()), comment: opt('Comment of a new version.', Type.String()),
      stage: STAGE, branch: BRANCH,
    }, (a, c) => (noBranch(a.branch), m.edit(a.artifact_id, a.manifest, a.type, a.config, a.secrets, a.version, a.comment, a.stage, c))),
    read: method('Reads an artifact (manifest, config, versions, stats; never secrets).', {
      artifact_id: ID, silent: opt('Do not count this view.', Type.Boolean()), version: VERSION, stage: STAGE,
    }, (a, c) => m.read(a.artifact_id, a.silent, a.version, a.stage, c)),
    commit: method('Commits the staged changes: a new version, or the latest one updated in place.', {
      artifact_id: ID, version: opt('Name of the new version.', Type.String()), comment: opt('Comment of the version.', Type.String()), branch: BRANCH,
    }, (a, c) => (noBranch(a.branch), m.commit(a.artifact_id, a.version, a.comment, c))),
    discard: method('Drops the staged changes and the files uploaded for them.', { artifact_id: ID }, (a, c) => m.discard(a.artifact_id, c)),
    delete: method('Deletes an artifact (recursive=True: with its children) or one committed version.', {
      artifact_id: ID, delete_files: opt('Also delete its files.', Type.Boolean()), recursive: opt('Delete the children too.', Type.Boolean()), version: VERSION,
    }, (a, c) => m.delete(a.artifact_id, a.delete_files, a.recursive, a.version, c)),
    duplicate: method('Copies an artifact (latest version and files) to a new alias.', {
      source_artifact_id: req('The artifact to copy.', Type.String()), target_alias: opt('Alias of the copy.', Type.String()),
      target_workspace: opt('Workspace of the copy.', Type.String()), target_parent_id: opt('Collection of the copy.', Type.String()),
      overwrite: opt('Replace an existing target.', Type.Boolean()), remove_secrets: opt('Leave the secrets out (default True).', Type.Boolean()), stage: STAGE,
    }, (a, c) => m.duplicate(a.source_artifact_id, a.target_alias, a.target_workspace, a.target_parent_id, a.overwrite, a.remove_secrets, a.stage, c)),
    set_parent: method('Moves an artifact into another collection (or to the root with None).', {
      artifact_id: ID, new_parent_id: opt('The new collection, or None.', Type.String()),
    }, (a, c) => m.set_parent(a.artifact_id, a.new_parent_id, c)),
    list: method('Lists the children of a collection (or the root artifacts of the workspace).', {
      ...LIST, silent: opt('Do not count a view of the collection.', Type.Boolean()), pagination: opt('Return {items, total, offset, limit}.', Type.Boolean()), stage: opt("False (committed), True (staged) or 'all'."),
    }, (a, c) => m.list(a.parent_id, a.keywords, a.filters, a.mode, a.offset, a.limit, a.order_by, a.silent, a.pagination, a.stage, c)),
    search: method('Searches the artifacts of a collection, or of the whole workspace.', {
      ...LIST, pagination: opt('Return {items, total, offset, limit}.', Type.Boolean()), stage: opt("False (committed), True (staged) or 'all'."),
    }, (a, c) => m.search(a.parent_id, a.keywords, a.filters, a.mode, a.offset, a.limit, a.order_by, a.pagination, a.stage, c)),
    list_files: method('Lists the files and directories of a version (or the staged files).', {
      artifact_id: ID, dir_path: opt('Directory inside the artifact.', Type.String()), limit: opt('At most this many entries.', Type.Integer()),
      version: VERSION, stage: STAGE, branch: BRANCH, include_pending: opt('Also list announced files not uploaded yet (staged listings).', Type.Boolean()),
      offset: opt('Entries to skip.', Type.Integer()),
    }, (a, c) => (noBranch(a.branch), f.list_files(a.artifact_id, a.dir_path, a.limit, a.version, a.stage, a.include_pending, a.offset, c))),
    put_file: method('A URL to upload a file into the staged version (a map of URLs for a list of paths).', {
      artifact_id: ID, file_path: FILE, download_weight: WEIGHT, use_proxy: USE_PROXY, use_local_url: LOCAL_URL, expires_in: EXPIRES, branch: BRANCH,
    }, (a, c) => (noBranch(a.branch), f.put_file(a.artifact_id, a.file_path, a.download_weight, a.use_proxy, a.use_local_url, a.expires_in, c))),
    put_file_start_multipart: method('Starts a multipart upload: an upload id and one URL per part.', {
      artifact_id: ID, file_path: FILE, part_count: req('Number of parts (1..10000).', Type.Integer()), download_weight: WEIGHT,
      expires_in: EXPIRES, use_proxy: USE_PROXY, use_local_url: LOCAL_URL,
    }, (a, c) => f.put_file_start_multipart(a.artifact_id, a.file_path, a.part_count, a.download_weight, a.expires_in, a.use_proxy, a.use_local_url, c)),
    put_file_complete_multipart: method('Completes a multipart upload with its parts (part_number, etag).', {
      artifact_id: ID, upload_id: req('From put_file_start_multipart.', Type.String()), parts: req('The uploaded parts.'),
    }, (a, c) => f.put_file_complete_multipart(a.artifact_id, a.upload_id, a.parts, c)),
    get_file: method('A URL to download a file (a map of URLs for a list of paths); counts the download.', {
      artifact_id: ID, file_path: FILE, silent: opt('Do not count the download.', Type.Boolean()), version: VERSION, stage: STAGE, branch: BRANCH,
      use_proxy: USE_PROXY, use_local_url: LOCAL_URL, expires_in: EXPIRES,
    }, (a, c) => (noBranch(a.branch), f.get_file(a.artifact_id, a.file_path, a.silent, a.version, a.stage, a.use_proxy, a.use_local_url, a.expires_in, c))),
    read_file: method("A file's content: text, base64, binary or parsed JSON, optionally a byte range.", {
      artifact_id: ID, file_path: FILE, format: opt("'text' (default), 'binary', 'base64' or 'json'.", Type.String()), encoding: opt('Text encoding (utf-8).', Type.String()),
      offset: opt('First byte.', Type.Integer()), limit: opt('At most this many bytes.', Type.Integer()), version: VERSION, stage: STAGE, branch: BRANCH,
    }, (a, c) => (noBranch(a.branch), f.read_file(a.artifact_id, a.file_path, a.format, a.encoding, a.offset, a.limit, a.version, a.stage, c))),
    write_file: method('Writes a small file into the staged version.', {
      artifact_id: ID, file_path: FILE, content: req('Text, bytes, base64 text, or JSON data.'), format: opt("'text', 'binary', 'base64' or 'json'.", Type.String()),
      encoding: opt('Text encoding (utf-8).', Type.String()), branch: BRANCH,
    }, (a, c) => (noBranch(a.branch), f.write_file(a.artifact_id, a.file_path, a.content, a.format, a.encoding, c))),
    remove_file: method('Removes a file from the staged version.', { artifact_id: ID, file_path: FILE, branch: BRANCH },
      (a, c) => (noBranch(a.branch), f.remove_file(a.artifact_id, a.file_path, c))),
    reset_stats: method('Sets download_count and view_count back to 0.', { artifact_id: ID }, (a, c) => m.reset_stats(a.artifact_id, c)),
    get_secret: method('A secret of the artifact (all of them without secret_key).', {
      artifact_id: ID, secret_key: opt('Name of the secret.', Type.String()),
    }, (a, c) => m.get_secret(a.artifact_id, a.secret_key, c)),
    set_secret: method('Sets a secret (None removes it).', {
      artifact_id: ID, secret_key: req('Name of the secret.', Type.String()), secret_value: opt('Its value, or None.'),
    }, (a, c) => m.set_secret(a.artifact_id, a.secret_key, a.secret_value ?? null, c)),
    add_vectors: method('Adds (or with update=True replaces) vectors of a vector-collection.', {
      artifact_id: ID, vectors: req('Vectors: {id, vector, manifest} each.'), update: opt('Replace existing ids.', Type.Boolean()),
    }, (a, c) => m.vectors.add_vectors(a.artifact_id, a.vectors, a.update, c)),
    search_vectors: method('Nearest vectors to a query (a vector or a text), with filters.', {
      artifact_id: ID, query: opt('Vector, text, or a map of field queries.'), filters: opt('Manifest filters.'), limit: opt('At most this many.', Type.Integer()),
      offset: opt('Results to skip.', Type.Integer()), return_fields: opt('Fields to return.'), order_by: opt('Sort field.', Type.String()),
      pagination: opt('Return {items, total, offset, limit}.', Type.Boolean()),
    }, (a, c) => m.vectors.search_vectors(a.artifact_id, a.query, a.filters, a.limit, a.offset, a.return_fields, a.order_by, a.pagination, c)),
    remove_vectors: method('Removes vectors by id.', { artifact_id: ID, ids: req('Vector ids.') }, (a, c) => m.vectors.remove_vectors(a.artifact_id, a.ids, c)),
    get_vector: method('One vector by id.', { artifact_id: ID, id: req('Vector id.') }, (a, c) => m.vectors.get_vector(a.artifact_id, a.id, c)),
    list_vectors: method('Lists the vectors of a vector-collection.', {
      artifact_id: ID, offset: opt('Vectors to skip.', Type.Integer()), limit: opt('At most this many.', Type.Integer()), return_fields: opt('Fields to return.'),
      order_by: opt('Sort field.', Type.String()), pagination: opt('Return {items, total, offset, limit}.', Type.Boolean()),
    }, (a, c) => m.vectors.list_vectors(a.artifact_id, a.offset, a.limit, a.return_fields, a.order_by, a.pagination, c)),
    publish: method('Publishes the latest version to Zenodo (to="zenodo" or "sandbox_zenodo", default config.publish_to); returns the Zenodo record.', {
      artifact_id: ID, to: opt('"zenodo" or "sandbox_zenodo".', Type.String()), metadata: opt('Zenodo metadata fields over the ones taken from the manifest.'),
    }, (a, c) => m.publish(a.artifact_id, a.to, a.metadata, c)),
    set_download_weight: method('Sets how much one download of a file counts (0 removes the weight).', {
      artifact_id: ID, file_path: req('The file.', Type.String()), download_weight: req('The weight (>= 0).', Type.Number()),
    }, (a, c) => m.set_download_weight(a.artifact_id, a.file_path, a.download_weight, c)),
  };
}

/** The service declaration; `extra` methods (git, vectors, publishing) join the map. */
export function defineArtifactService(m: ArtifactManager, f: ArtifactFiles, extra: MethodMap = {}): ServiceDef {
  return defineService({
    id: 'artifact-manager',
    name: 'Artifact Manager',
    description: 'Manage artifacts: collections, versions, files and permissions.',
    type: 'artifact-manager',
    config: { visibility: 'public' },
    methods: { ...artifactMethods(m, f), ...extra },
  });
}
