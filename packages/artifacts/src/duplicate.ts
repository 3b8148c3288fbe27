/**
 * `duplicate(source_artifact_id, target_alias=None, target_workspace=None, target_parent_id=None,
 * overwrite=False, remove_secrets=True, stage=False)` (server-api §4.4): a new artifact with the
 * source's manifest, type, config (minus `zenodo` and `id_parts`) and the files of its latest
 * version, committed as `v0` unless `stage`. Needs `read` on the source and, for the target,
 * `create` on the parent collection or read_write on the workspace, which must be persistent.
 * Secrets are never copied; `remove_secrets` also drops a `secrets` key of the manifest.
 */
import type { JsonObject } from '@hypha/db';
import { checkPermission } from '@hypha/auth';
import { optionalBool, requireContext } from './access.js';
import type { ArtifactManager } from './artifact-manager.js';
import { walk } from './blob-util.js';
import { denied, invalid } from './errors.js';
import { versionPrefix } from './keys.js';
import { versionsOf } from './record.js';
import type { ArtifactRow } from './record.js';

function optionalString(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !value) throw invalid(`${name} must be a non-empty string`);
  return value;
}

export async function duplicateArtifact(
  manager: ArtifactManager, source_artifact_id: unknown, target_alias: unknown, target_workspace: unknown,
  target_parent_id: unknown, overwrite: unknown, remove_secrets: unknown, stage: unknown, context: unknown,
): Promise<Record<string, unknown>> {
  const ctx = requireContext(context);
  const access = manager.access;
  const { db, store } = await access.ready();
  const alias = optionalString(target_alias, 'target_alias');
  const requestedWs = optionalString(target_workspace, 'target_workspace');
  const replace = optionalBool(overwrite, 'overwrite');
  const dropSecrets = optionalBool(remove_secrets, 'remove_secrets', true);
  const staged = optionalBool(stage, 'stage');

  const { row: source } = await access.loadFor(db, source_artifact_id, ctx, 'read');
  const versions = versionsOf(source);
  if (versions.length === 0) {
    throw invalid(`Source artifact '${source.workspace}/${source.alias}' must be committed before it can be duplicated.`);
  }
  let targetWs = requestedWs ?? source.workspace;
  let parent: ArtifactRow | null = null;
  if (target_parent_id !== undefined && target_parent_id !== null) {
    parent = (await access.loadFor(db, target_parent_id, ctx, 'create')).row;
    if (requestedWs && requestedWs !== parent.workspace) throw invalid("Target workspace must match the parent artifact's workspace.");
    targetWs = parent.workspace;
  } else if (!checkPermission(ctx.user, targetWs, 'rw')) {
    throw denied(`User does not have permission to create an artifact in workspace '${targetWs}'.`);
  }
  if (access.options.workspaceInfo) {
    const info = await access.options.workspaceInfo(targetWs);
    if (!info) throw invalid(`Workspace '${targetWs}' does not exist.`);
    if (info.persistent === false) throw denied(`Cannot create artifact in a non-persistent workspace \`${targetWs}\`.`);
  }

  const config: JsonObject = { ...(source.config ?? {}) };
  delete config.zenodo;
  delete config.id_parts;
  config.permissions = { ...((config.permissions as JsonObject | undefined) ?? {}), [ctx.user.id]: '*' };
  const manifest: JsonObject = { ...(source.manifest ?? {}) };
  if (dropSecrets) delete manifest.secrets;

  const created = await manager.create(
    alias, null, targetWs, parent ? parent.id : null, manifest, source.type, config, null, 'stage', null, replace, true, ctx,
  );
  const target = { id: created._id as string, workspace: targetWs };
  const from = versionPrefix(source, versions.length - 1);
  const to = versionPrefix(target, 0);
  // An overwritten artifact keeps its uuid: clear what its first version held.
  await store.deletePrefix(to);
  for await (const o of walk(store, from)) await store.copy(o.key, to + o.key.slice(from.length));

  const id = created.id as string;
  if (staged) return manager.read(id, null, 'stage', true, ctx);
  await manager.commit(id, null, null, ctx);
  return manager.read(id, null, null, null, ctx);
}
