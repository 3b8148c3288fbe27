/**
 * The `artifact-manager` service object: one function per method, parameters named exactly like
 * the reference (Python clients call with keyword arguments, mapped by name), the injected
 * `context` last. No parameter has a default, so `fn.length` counts them all.
 */
import type { ArtifactManager } from './artifact-manager.js';
import type { ArtifactFiles } from './artifact-files.js';
import { invalid } from './errors.js';
import { vectorServiceMethods } from './vector-methods.js';

function noBranch(branch: unknown): void {
  if (branch !== undefined && branch !== null) throw invalid('branch is only for git-backed artifacts (config.storage="git"), which this server does not support');
}

 
export function createArtifactService(m: ArtifactManager, f: ArtifactFiles): Record<string, unknown> {
  return {
    id: 'artifact-manager',
    name: 'Artifact Manager',
    description: 'Manage artifacts: collections, versions, files and permissions.',
    type: 'artifact-manager',
    config: { visibility: 'public', require_context: true },
    create: (alias: any, artifact_id: any, workspace: any, parent_id: any, manifest: any, type: any, config: any, secrets: any, version: any, comment: any, overwrite: any, stage: any, context: any) =>
      m.create(alias, artifact_id, workspace, parent_id, manifest, type, config, secrets, version, comment, overwrite, stage, context),
    edit: (artifact_id: any, manifest: any, type: any, config: any, secrets: any, version: any, comment: any, stage: any, branch: any, context: any) => {
      noBranch(branch);
      return m.edit(artifact_id, manifest, type, config, secrets, version, comment, stage, context);
    },
    read: (artifact_id: any, silent: any, version: any, stage: any, context: any) => m.read(artifact_id, silent, version, stage, context),
    commit: (artifact_id: any, version: any, comment: any, branch: any, context: any) => {
      noBranch(branch);
      return m.commit(artifact_id, version, comment, context);
    },
    discard: (artifact_id: any, context: any) => m.discard(artifact_id, context),
    delete: (artifact_id: any, delete_files: any, recursive: any, version: any, context: any) => m.delete(artifact_id, delete_files, recursive, version, context),
    duplicate: (source_artifact_id: any, target_alias: any, target_workspace: any, target_parent_id: any, overwrite: any, remove_secrets: any, stage: any, context: any) =>
      m.duplicate(source_artifact_id, target_alias, target_workspace, target_parent_id, overwrite, remove_secrets, stage, context),
    set_parent: (artifact_id: any, new_parent_id: any, context: any) => m.set_parent(artifact_id, new_parent_id, context),
    list: (parent_id: any, keywords: any, filters: any, mode: any, offset: any, limit: any, order_by: any, silent: any, pagination: any, stage: any, context: any) =>
      m.list(parent_id, keywords, filters, mode, offset, limit, order_by, silent, pagination, stage, context),
    search: (parent_id: any, keywords: any, filters: any, mode: any, offset: any, limit: any, order_by: any, pagination: any, stage: any, context: any) =>
      m.search(parent_id, keywords, filters, mode, offset, limit, order_by, pagination, stage, context),
    list_files: (artifact_id: any, dir_path: any, limit: any, version: any, stage: any, branch: any, include_pending: any, offset: any, context: any) => {
      noBranch(branch);
      return f.list_files(artifact_id, dir_path, limit, version, stage, include_pending, offset, context);
    },
    put_file: (artifact_id: any, file_path: any, download_weight: any, use_proxy: any, use_local_url: any, expires_in: any, branch: any, context: any) => {
      noBranch(branch);
      return f.put_file(artifact_id, file_path, download_weight, use_proxy, use_local_url, expires_in, context);
    },
    put_file_start_multipart: (artifact_id: any, file_path: any, part_count: any, download_weight: any, expires_in: any, use_proxy: any, use_local_url: any, context: any) =>
      f.put_file_start_multipart(artifact_id, file_path, part_count, download_weight, expires_in, use_proxy, use_local_url, context),
    put_file_complete_multipart: (artifact_id: any, upload_id: any, parts: any, context: any) => f.put_file_complete_multipart(artifact_id, upload_id, parts, context),
    get_file: (artifact_id: any, file_path: any, silent: any, version: any, stage: any, branch: any, use_proxy: any, use_local_url: any, expires_in: any, context: any) => {
      noBranch(branch);
      return f.get_file(artifact_id, file_path, silent, version, stage, use_proxy, use_local_url, expires_in, context);
    },
    read_file: (artifact_id: any, file_path: any, format: any, encoding: any, offset: any, limit: any, version: any, stage: any, branch: any, context: any) => {
      noBranch(branch);
      return f.read_file(artifact_id, file_path, format, encoding, offset, limit, version, stage, context);
    },
    write_file: (artifact_id: any, file_path: any, content: any, format: any, encoding: any, branch: any, context: any) => {
      noBranch(branch);
      return f.write_file(artifact_id, file_path, content, format, encoding, context);
    },
    remove_file: (artifact_id: any, file_path: any, branch: any, context: any) => {
      noBranch(branch);
      return f.remove_file(artifact_id, file_path, context);
    },
    reset_stats: (artifact_id: any, context: any) => m.reset_stats(artifact_id, context),
    get_secret: (artifact_id: any, secret_key: any, context: any) => m.get_secret(artifact_id, secret_key, context),
    set_secret: (artifact_id: any, secret_key: any, secret_value: any, context: any) => m.set_secret(artifact_id, secret_key, secret_value, context),
    set_download_weight: (artifact_id: any, file_path: any, download_weight: any, context: any) => m.set_download_weight(artifact_id, file_path, download_weight, context),
    ...vectorServiceMethods(m.vectors),
  };
}

/** Names of the service's methods. */
export const ARTIFACT_METHODS = [
  'create', 'edit', 'read', 'commit', 'discard', 'delete', 'duplicate', 'set_parent', 'list', 'search', 'list_files', 'put_file',
  'put_file_start_multipart', 'put_file_complete_multipart', 'get_file', 'read_file', 'write_file', 'remove_file',
  'reset_stats', 'get_secret', 'set_secret', 'set_download_weight',
  'add_vectors', 'search_vectors', 'remove_vectors', 'get_vector', 'list_vectors',
] as const;
