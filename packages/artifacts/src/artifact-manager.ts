/**
 * The artifact manager (server-api §4): create / edit / read / commit / discard / delete / list /
 * search and secrets, over Kysely (one row per artifact) and a BlobStore (files and version
 * snapshots). Every method takes the caller's context last and checks permissions (§4.3).
 * Mutations lock the artifact's row for their transaction, so concurrent callers never lose
 * each other's changes.
 */
import { sql } from 'kysely';
import { checkPermission, getEffectiveUserId } from '@hypha/auth';
import { jsonb } from '@hypha/db';
import type { JsonObject, JsonValue } from '@hypha/db';
import { ArtifactAccess, optionalBool, requireContext, rethrowUnique } from './access.js';
import type { ArtifactContext, ArtifactManagerOptions, Db } from './access.js';
import { conflict, denied, fileNotFound, invalid, negativeWeight, notFound } from './errors.js';
import { checkNewAlias, fillAliasTemplate, isAliasTemplate, readableAlias, uuid7, validateAlias, validateNewAlias } from './ids.js';
import { combine, filterConditions, keywordCondition, orderByClauses } from './filters.js';
import type { Condition } from './filters.js';
import { canMutateChildren, validatePermissions } from './permissions.js';
import { artifactView, nowSeconds, stagedVersionIndex, stagingOf, versionsOf } from './record.js';
import type { ArtifactRow, Staging, VersionEntry } from './record.js';
import { assertSchema, validateManifest } from './schema-validation.js';
import { artifactPrefix, snapshotKey, stageBackupKey, stageBackupPrefix, versionPrefix } from './keys.js';
import { countObjects, readJson, walk } from './blob-util.js';
import { duplicateArtifact } from './duplicate.js';
import { setParent } from './set-parent.js';
import { prepareVectorConfig, VECTOR_COLLECTION, VectorCollections } from './vector-methods.js';
import { mentionsCaller, visibleToCaller } from './visibility.js';
import { publishArtifact } from './publish.js';
import { DEFAULT_ZENODO_SERVERS, zenodoClientFor } from './zenodo-client.js';
import type { ZenodoServers } from './zenodo-client.js';

function objectOrNull(value: unknown, name: string): JsonObject | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${name} must be a map`);
  // A JSON round trip drops functions and proxies and checks the value is plain data.
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

function checkConfig(config: JsonObject | null): void {
  if (!config) return;
  try {
    validatePermissions(config.permissions);
  } catch (err) {
    throw invalid((err as Error).message, err);
  }
  if (config.collection_schema !== undefined && config.collection_schema !== null) assertSchema(config.collection_schema);
  if (config.list_fields !== undefined) {
    if (!Array.isArray(config.list_fields) || config.list_fields.some((f) => typeof f !== 'string')) {
      throw invalid('config.list_fields must be a list of field names');
    }
    if (config.list_fields.includes('secrets')) throw invalid('config.list_fields must not include secrets');
  }
}

function stringOrNull(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

function intIn(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export class ArtifactManager {
  readonly access: ArtifactAccess;
  readonly vectors: VectorCollections;

  constructor(options: ArtifactManagerOptions) {
    this.access = new ArtifactAccess(options);
    this.vectors = new VectorCollections(this.access, options.vectors);
  }

  // ------------------------------------------------------------------ create

  async create(
    alias: unknown, artifact_id: unknown, workspace: unknown, parent_id: unknown, manifest: unknown, type: unknown,
    config: unknown, secrets: unknown, version: unknown, comment: unknown, overwrite: unknown, stage: unknown,
    context: unknown,
  ): Promise<Record<string, unknown>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const staged = optionalBool(stage, 'stage') || version === 'stage';
    const replace = optionalBool(overwrite, 'overwrite');
    const man = objectOrNull(manifest, 'manifest') ?? {};
    const cfg = objectOrNull(config, 'config') ?? {};
    checkConfig(cfg);
    const sec = objectOrNull(secrets, 'secrets');
    const artifactType = stringOrNull(type, 'type') ?? 'generic';
    const versionName = stringOrNull(version, 'version');
    const vectorSpec = artifactType === VECTOR_COLLECTION ? prepareVectorConfig(cfg, man) : null;
    let ws = stringOrNull(workspace, 'workspace');
    const fullId = stringOrNull(artifact_id, 'artifact_id');
    let requested = stringOrNull(alias, 'alias');
    if (fullId) {
      if (requested || ws) {
        throw invalid("Cannot specify both artifact_id and alias/workspace. Use either artifact_id='workspace/alias' or alias='alias' + workspace='workspace'.");
      }
      if (!fullId.includes('/')) throw invalid(`artifact_id must be in format 'workspace/alias'. Got '${fullId}'`);
      requested = fullId;
    }
    if (requested) {
      requested = requested.trim();
      if (requested.includes('/')) {
        const [aliasWs, bare, ...rest] = requested.split('/');
        if (rest.length || !aliasWs || !bare) throw invalid(`Invalid alias ${JSON.stringify(requested)}: expected "workspace/alias" or "alias"`);
        if (ws && ws !== aliasWs) throw invalid('Workspace must match the alias workspace, if provided.');
        ws = aliasWs;
        requested = bare;
      }
      checkNewAlias(requested);
    }
    const zenodoParts = requested && isAliasTemplate(requested) ? await this.reserveDeposition(db, requested, cfg, sec, parent_id, staged, ctx) : {};
    const now = nowSeconds();
    const result = await db.transaction().execute(async (trx) => {
      let parent: ArtifactRow | null = null;
      if (parent_id !== undefined && parent_id !== null) {
        const found = await this.access.load(trx, parent_id, ctx);
        parent = found.row;
        if (ws && ws !== parent.workspace) {
          throw invalid(
            `Specified workspace '${ws}' does not match parent's workspace '${parent.workspace}'. Child artifacts must be created in the same workspace as their parent.`,
          );
        }
        ws = parent.workspace;
        if (!parent.manifest || Object.keys(parent.manifest).length === 0) {
          throw invalid(`Parent artifact with ID '${String(parent_id)}' must be committed before creating a child artifact.`);
        }
        this.access.check(ctx, 'list', parent, found.parent);
        this.access.check(ctx, staged ? 'draft' : 'attach', parent, found.parent);
      } else {
        ws = ws ?? ctx.ws;
        if (!checkPermission(ctx.user, ws, 'rw')) {
          throw denied(`User does not have permission to create an orphan artifact in the workspace '${ws}'.`);
        }
      }
      await this.access.assertWritable(ctx, ws, parent ? { parent, op: staged ? 'draft' : 'attach' } : undefined);
      const finalAlias = await this.chooseAlias(trx, ws, requested, parent, ctx, zenodoParts);
      const existing = await this.access.find(trx, { workspace: ws, alias: finalAlias }, true);
      if (existing && !replace) {
        throw conflict(`Artifact with alias '${finalAlias}' already exists, please choose a different alias or remove the existing artifact (ID: ${ws}/${finalAlias}).`);
      }
      if (existing) {
        this.access.check(ctx, 'edit', existing, parent);
        const { count } = await trx.selectFrom('artifacts').select((eb) => eb.fn.countAll<number>().as('count')).where('parent_id', '=', existing.id).executeTakeFirstOrThrow();
        if (Number(count) > 0) {
          throw invalid(
            `Cannot overwrite artifact '${ws}/${finalAlias}' as it has ${Number(count)} child artifacts. Remove the children first or use a different alias.`,
          );
        }
      }
      if (parent?.config?.collection_schema && !staged) validateManifest(parent.config.collection_schema, man, finalAlias);
      const permissions = { ...((cfg.permissions as JsonObject | undefined) ?? {}) };
      // The literal caller id gets the owner grant (a human id here would reach across workspaces);
      // created_by is the effective (human) id, so agents' uploads show as their user's.
      permissions[ctx.user.id] = '*';
      cfg.permissions = permissions;
      const versions: VersionEntry[] = staged
        ? []
        : [{ version: versionName && versionName !== 'new' ? versionName : 'v0', comment: stringOrNull(comment, 'comment') ?? 'Initial version', created_at: now }];
      const staging: Staging | null = staged ? { files: [] } : null;
      const id = existing?.id ?? uuid7();
      const values = {
        id,
        type: artifactType,
        workspace: ws,
        parent_id: parent?.id ?? null,
        alias: finalAlias,
        manifest: jsonb(man),
        staging: staging ? jsonb(staging as unknown as JsonObject) : null,
        created_at: existing?.created_at ?? now,
        created_by: existing?.created_by ?? getEffectiveUserId(ctx.user),
        last_modified: now,
        versions: jsonb(versions as unknown as JsonValue[]),
        config: jsonb(cfg),
        secrets: sec ? jsonb(sec) : null,
      };
      try {
        if (existing) {
          const { id: _id, ...rest } = values;
          await trx.updateTable('artifacts').set({ ...rest, download_count: 0, view_count: 0, file_count: 0 }).where('id', '=', id).execute();
        } else {
          await trx.insertInto('artifacts').values(values).execute();
        }
      } catch (err) {
        rethrowUnique(err, `Artifact with alias '${finalAlias}' already exists in workspace ${ws}.`);
      }
      const row = (await this.access.findById(trx, id))!;
      return { row, parent, inserted: !existing };
    });
    if (vectorSpec) {
      // After the artifact's transaction (PGlite has one connection); a new artifact whose
      // collection cannot be created (no `vector` extension) is removed again.
      await this.vectors.create(result.row, vectorSpec).catch(async (err: unknown) => {
        if (result.inserted) await db.deleteFrom('artifacts').where('id', '=', result.row.id).execute();
        throw err;
      });
    }
    if (versionsOf(result.row).length) await this.saveSnapshot(store, result.row, 0);
    return artifactView(result.row, { parent: result.parent, staged });
  }

  /**
   * For an alias template of an artifact with `config.publish_to`: a Zenodo deposition created
   * now (its record goes to `config.zenodo`), whose ids fill `{zenodo_id}` and `{zenodo_conceptrecid}`.
   * The token comes from the new artifact's secrets over its collection's.
   */
  private async reserveDeposition(
    db: Db, template: string, cfg: JsonObject, sec: JsonObject | null, parentId: unknown, staged: boolean, ctx: ArtifactContext,
  ): Promise<Record<string, string>> {
    const publishTo = cfg.publish_to;
    if (publishTo === undefined || publishTo === null) {
      for (const name of ['zenodo_id', 'zenodo_conceptrecid']) {
        if (template.includes(`{${name}}`)) throw invalid(`Alias cannot contain the '{${name}}' placeholder, set publish_to to 'zenodo' or 'sandbox_zenodo'.`);
      }
      return {};
    }
    let parent: ArtifactRow | null = null;
    if (parentId !== undefined && parentId !== null) {
      const found = await this.access.load(db, parentId, ctx);
      parent = found.row;
      // Checked before the deposition is made on the collection's Zenodo account.
      this.access.check(ctx, 'list', parent, found.parent);
      this.access.check(ctx, staged ? 'draft' : 'attach', parent, found.parent);
    }
    const client = zenodoClientFor(publishTo, { ...(parent?.secrets ?? {}), ...(sec ?? {}) }, this.zenodoServers);
    const deposition = await client.createDeposition();
    cfg.zenodo = deposition as unknown as JsonObject;
    return { zenodo_id: String(deposition.id), zenodo_conceptrecid: String(deposition.conceptrecid) };
  }

  private async chooseAlias(
    db: Db, ws: string, requested: string | null, parent: ArtifactRow | null, ctx: ArtifactContext, extraParts: Record<string, string> = {},
  ): Promise<string> {
    if (requested && !isAliasTemplate(requested)) {
      validateNewAlias(requested);
      return requested;
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = requested
        ? fillAliasTemplate(requested, {
            ...((parent?.config?.id_parts as JsonObject | undefined) ?? {}),
            uuid: uuid7(),
            timestamp: String(nowSeconds()),
            user_id: ctx.user.id,
            ...extraParts,
          })
        : readableAlias();
      validateAlias(candidate);
      if (!(await this.access.find(db, { workspace: ws, alias: candidate }))) return candidate;
    }
    throw conflict('Could not generate a unique alias within the maximum attempts.');
  }

  // ------------------------------------------------------------------ edit

  async edit(
    artifact_id: unknown, manifest: unknown, type: unknown, config: unknown, secrets: unknown, version: unknown,
    comment: unknown, stage: unknown, context: unknown,
  ): Promise<Record<string, unknown>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const man = objectOrNull(manifest, 'manifest');
    const cfg = objectOrNull(config, 'config');
    checkConfig(cfg);
    const sec = objectOrNull(secrets, 'secrets');
    const newType = stringOrNull(type, 'type');
    const versionName = stringOrNull(version, 'version');
    if (versionName !== null && versionName !== 'new' && versionName !== 'stage') {
      throw invalid(
        `Invalid version '${versionName}'. Edit operation only supports:\n- None (default): Edit current/latest version\n` +
          "- 'new': Create a new version\n- 'stage': Put into staging mode\nHistorical versions cannot be edited directly.",
      );
    }
    const commentText = stringOrNull(comment, 'comment');
    const staged = optionalBool(stage, 'stage');
    const commitStaged = await db.transaction().execute(async (trx) => {
      const { row, parent } = await this.access.loadFor(trx, artifact_id, ctx, 'edit', true);
      const versions = versionsOf(row);
      if (!staged) {
        // An edit that is not staged commits: it needs commit too, and a collection decides
        // whether its children's committed versions may be modified in place (`mutate`).
        this.access.check(ctx, 'commit', row, parent);
        if (parent && versions.length > 0 && !canMutateChildren(ctx.user, ctx.ws, row, parent)) {
          throw denied(`Collection '${parent.alias}' does not allow modification of committed versions (no mutate permission).`);
        }
      }
      await this.access.assertWritable(ctx, row.workspace);
      const now = nowSeconds();
      if (cfg?.permissions !== undefined || sec) this.access.check(ctx, 'edit', row, parent);
      const current = stagingOf(row);
      if (staged || current) {
        // Staged edits collect in `staging`; edit(stage=False) of a staged artifact commits them.
        const s: Staging = current ?? { files: [] };
        if (man) s.manifest = man;
        if (cfg) s.config = cfg;
        if (newType) s.type = newType;
        if (versionName === 'new') s._intent = 'new_version';
        else if (versionName === 'stage' && staged) delete s._intent;
        await trx.updateTable('artifacts')
          .set({ staging: jsonb(s as unknown as JsonObject), last_modified: now, ...(sec ? { secrets: jsonb(sec) } : {}) })
          .where('id', '=', row.id).execute();
        if (!staged) return true;
        return artifactView((await this.access.findById(trx, row.id))!, { parent, staged: true });
      }
      if (man && parent?.config?.collection_schema) validateManifest(parent.config.collection_schema, man, row.alias ?? row.id);
      const newVersion = versionName === 'new' || versions.length === 0;
      if (newVersion) {
        if (parent) this.access.check(ctx, 'commit', parent, null);
        versions.push({ version: `v${versions.length}`, comment: commentText ?? (versions.length ? null : 'Initial version'), created_at: now });
      }
      await trx.updateTable('artifacts')
        .set({
          last_modified: now,
          ...(newVersion ? { versions: jsonb(versions as unknown as JsonValue[]) } : {}),
          ...(man ? { manifest: jsonb(man) } : {}),
          ...(cfg ? { config: jsonb(cfg) } : {}),
          ...(newType ? { type: newType } : {}),
          ...(sec ? { secrets: jsonb(sec) } : {}),
        })
        .where('id', '=', row.id).execute();
      return { row: (await this.access.findById(trx, row.id))!, parent };
    });
    if (commitStaged === true) return this.commit(artifact_id, null, commentText, context);
    if ('row' in commitStaged) {
      const { row, parent } = commitStaged as { row: ArtifactRow; parent: ArtifactRow | null };
      await this.saveSnapshot(store, row, versionsOf(row).length - 1);
      return artifactView(row, { parent });
    }
    return commitStaged;
  }

  // ------------------------------------------------------------------ read

  async read(artifact_id: unknown, silent: unknown, version: unknown, stage: unknown, context: unknown): Promise<Record<string, unknown>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const quiet = optionalBool(silent, 'silent');
    const staged = optionalBool(stage, 'stage') || version === 'stage';
    const { row, parent } = await this.access.loadFor(db, artifact_id, ctx, 'read');
    if (!quiet) await db.updateTable('artifacts').set({ view_count: sql`view_count + 1` }).where('id', '=', row.id).execute();
    const current = quiet ? row : ((await this.access.findById(db, row.id)) ?? row);
    const view = artifactView(current, { parent, staged });
    if (!staged && version !== undefined && version !== null) {
      const index = versionIndex(current, version);
      if (index < versionsOf(current).length - 1) {
        const snap = await readJson(store, snapshotKey(current, index));
        if (snap) Object.assign(view, { manifest: snap.manifest ?? null, type: snap.type ?? view.type });
      }
    }
    if (current.type === 'collection' || current.type === 'vector-collection') {
      const { count } = await db.selectFrom('artifacts').select((eb) => eb.fn.countAll<number>().as('count')).where('parent_id', '=', current.id).executeTakeFirstOrThrow();
      view.config = { ...((view.config as JsonObject | null) ?? {}), child_count: Number(count), is_collection: true };
    }
    if (current.type === VECTOR_COLLECTION) view.config = { ...(view.config as JsonObject), vector_count: await this.vectors.count(current) };
    return view;
  }

  // ------------------------------------------------------------------ commit

  async commit(artifact_id: unknown, version: unknown, comment: unknown, context: unknown): Promise<Record<string, unknown>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const versionName = stringOrNull(version, 'version');
    if (versionName === 'stage') throw invalid("Version cannot be 'stage' when committing.");
    const commentText = stringOrNull(comment, 'comment');
    const done = await db.transaction().execute(async (trx) => {
      const { row, parent } = await this.access.loadFor(trx, artifact_id, ctx, 'commit', true);
      await this.access.assertWritable(ctx, row.workspace, parent && !versionsOf(row).length ? { parent, op: 'attach' } : undefined);
      const s = stagingOf(row);
      if (!s) throw invalid(`Artifact ${row.workspace}/${row.alias} has no staged changes to commit.`);
      const versions = versionsOf(row);
      if (versions.length === 0 && parent) this.access.check(ctx, 'attach', parent, await this.access.findById(trx, parent.parent_id));
      const manifest = s.manifest ?? row.manifest ?? {};
      const config: JsonObject = { ...(s.config ?? row.config ?? {}) };
      if (parent?.config?.collection_schema) validateManifest(parent.config.collection_schema, manifest, row.alias ?? row.id);
      const index = stagedVersionIndex(row);
      for (const f of s.files) {
        if (!(await store.head(`${versionPrefix(row, index)}${f.path}`))) {
          throw fileNotFound(`File '${f.path}' does not exist in the artifact (staged with put_file but never uploaded; upload it or remove it with remove_file before committing).`);
        }
      }
      const weights = { ...((config.download_weights as JsonObject | undefined) ?? {}) };
      for (const f of s.files) if (f.download_weight !== undefined && f.download_weight > 0) weights[f.path] = f.download_weight;
      if (Object.keys(weights).length) config.download_weights = weights;
      const now = nowSeconds();
      if (index === versions.length) {
        const name = versionName ?? `v${versions.length}`;
        if (versions.some((v) => v.version === name)) {
          throw invalid(`Version '${name}' already exists. Existing versions: [${versions.map((v) => `'${v.version}'`).join(', ')}]`);
        }
        versions.push({ version: name, comment: commentText, created_at: now });
      } else if (commentText) {
        // An in-place commit keeps the latest version's name (a `version` given here is ignored).
        versions[versions.length - 1] = { ...versions[versions.length - 1]!, comment: commentText };
      }
      const fileCount = await countObjects(store, versionPrefix(row, index));
      await trx.updateTable('artifacts')
        .set({
          manifest: jsonb(manifest),
          config: jsonb(config),
          type: s.type ?? row.type,
          versions: jsonb(versions as unknown as JsonValue[]),
          staging: null,
          file_count: fileCount,
          last_modified: now,
        })
        .where('id', '=', row.id).execute();
      return { row: (await this.access.findById(trx, row.id))!, parent, index };
    });
    await this.saveSnapshot(store, done.row, done.index);
    await store.deletePrefix(stageBackupPrefix(done.row));
    return artifactView(done.row, { parent: done.parent });
  }

  private async saveSnapshot(store: import('@hypha/storage').BlobStore, row: ArtifactRow, index: number): Promise<void> {
    const { secrets: _secrets, ...rest } = row;
    await store.put(snapshotKey(row, index), new TextEncoder().encode(JSON.stringify(rest)));
  }

  // ------------------------------------------------------------------ discard

  async discard(artifact_id: unknown, context: unknown): Promise<Record<string, unknown>> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const done = await db.transaction().execute(async (trx) => {
      const { row, parent } = await this.access.loadFor(trx, artifact_id, ctx, 'discard_changes', true);
      await this.access.assertWritable(ctx, row.workspace);
      const s = stagingOf(row);
      if (!s) throw invalid('No staged changes to discard. Artifact is not in staging mode.');
      await trx.updateTable('artifacts').set({ staging: null, last_modified: nowSeconds() }).where('id', '=', row.id).execute();
      return { row: (await this.access.findById(trx, row.id))!, before: row, staging: s, parent };
    });
    const versions = versionsOf(done.before);
    const index = stagedVersionIndex(done.before);
    if (index === versions.length) {
      // The files of a version that was never committed go.
      await store.deletePrefix(versionPrefix(done.before, index));
    } else {
      // An in-place edit: committed files come back, files added while staged go.
      for (const f of done.staging.files) {
        const key = `${versionPrefix(done.before, index)}${f.path}`;
        if (await store.head(stageBackupKey(done.before, f.path))) await store.copy(stageBackupKey(done.before, f.path), key);
        else await store.delete(key);
      }
    }
    await store.deletePrefix(stageBackupPrefix(done.before));
    return artifactView(done.row, { parent: done.parent });
  }

  // ------------------------------------------------------------------ delete

  async delete(artifact_id: unknown, delete_files: unknown, recursive: unknown, version: unknown, context: unknown): Promise<void> {
    const ctx = requireContext(context);
    const { db, store } = await this.access.ready();
    const withFiles = optionalBool(delete_files, 'delete_files');
    const deep = optionalBool(recursive, 'recursive');
    const wholeArtifact = version === undefined || version === null;
    const prefixes: string[] = [];
    let shift: { row: ArtifactRow; from: number; to: number } | null = null;
    const vectorIds: string[] = [];
    await db.transaction().execute(async (trx) => {
      const { row, parent } = await this.access.load(trx, artifact_id, ctx, true);
      await this.access.assertWritable(ctx, row.workspace);
      const recipientDelete = wholeArtifact && !deep && parent?.config?.recipient_can_delete === true && isRecipient(row, parent, ctx);
      if (!recipientDelete) {
        this.access.check(ctx, 'delete', row, parent);
        if (parent && wholeArtifact && !deep) this.access.check(ctx, 'detach', parent, await this.access.findById(trx, parent.parent_id));
      }
      if (!wholeArtifact) {
        const index = deletableVersion(row, version);
        const versions = versionsOf(row);
        const wasLatest = index === versions.length - 1;
        versions.splice(index, 1);
        // Deleting the latest version brings back the previous one's manifest, config and type.
        const previous = wasLatest && index > 0 ? await readJson(store, snapshotKey(row, index - 1)) : null;
        await trx.updateTable('artifacts')
          .set({
            versions: jsonb(versions as unknown as JsonValue[]),
            last_modified: nowSeconds(),
            ...(previous
              ? {
                  manifest: jsonb((previous.manifest ?? {}) as JsonObject),
                  config: jsonb({ ...((previous.config ?? {}) as JsonObject), permissions: (row.config?.permissions ?? {}) as JsonObject }),
                  type: typeof previous.type === 'string' ? previous.type : row.type,
                  file_count: typeof previous.file_count === 'number' ? previous.file_count : row.file_count,
                }
              : {}),
          })
          .where('id', '=', row.id).execute();
        prefixes.push(versionPrefix(row, index), snapshotKey(row, index));
        // Later versions move down one index, with their files and snapshots.
        if (!wasLatest) shift = { row, from: index + 1, to: versions.length };
        return;
      }
      const victims = await this.collectTree(trx, row, deep);
      // Without recursive=True the children stay, as root artifacts (the reference's behaviour).
      if (!deep) await trx.updateTable('artifacts').set({ parent_id: null }).where('parent_id', '=', row.id).execute();
      for (const v of [...victims].reverse()) {
        await trx.deleteFrom('artifacts').where('id', '=', v.id).execute();
        prefixes.push(artifactPrefix(v));
        if (v.type === VECTOR_COLLECTION) vectorIds.push(v.id);
      }
    });
    await this.vectors.drop(vectorIds);
    for (const prefix of prefixes) {
      if (prefix.endsWith('.json')) await store.delete(prefix);
      else if (withFiles || !wholeArtifact) await store.deletePrefix(prefix);
      // Without delete_files the files stay (the reference's rule); snapshots go with the artifact.
      else await deleteSnapshots(store, prefix);
    }
    if (shift) await shiftVersions(store, shift);
  }

  private async collectTree(db: Db, root: ArtifactRow, deep: boolean): Promise<ArtifactRow[]> {
    const out: ArtifactRow[] = [root];
    if (!deep) return out;
    for (let i = 0; i < out.length; i++) {
      const children = await db.selectFrom('artifacts').selectAll().where('parent_id', '=', out[i]!.id).forUpdate().execute();
      out.push(...children);
    }
    return out;
  }

  // ------------------------------------------------------------------ list / search

  async list(
    parent_id: unknown, keywords: unknown, filters: unknown, mode: unknown, offset: unknown, limit: unknown,
    order_by: unknown, silent: unknown, pagination: unknown, stage: unknown, context: unknown,
  ): Promise<unknown> {
    return this.query(false, parent_id, keywords, filters, mode, offset, limit, order_by, silent, pagination, stage, context);
  }

  async search(
    parent_id: unknown, keywords: unknown, filters: unknown, mode: unknown, offset: unknown, limit: unknown,
    order_by: unknown, pagination: unknown, stage: unknown, context: unknown,
  ): Promise<unknown> {
    return this.query(true, parent_id, keywords, filters, mode, offset, limit, order_by, true, pagination, stage, context);
  }

  private async query(
    wholeWorkspace: boolean, parent_id: unknown, keywords: unknown, filters: unknown, mode: unknown, offset: unknown,
    limit: unknown, order_by: unknown, silent: unknown, pagination: unknown, stage: unknown, context: unknown,
  ): Promise<unknown> {
    const ctx = requireContext(context);
    const { db } = await this.access.ready();
    const combineMode = mode === undefined || mode === null ? 'AND' : String(mode).toUpperCase();
    if (combineMode !== 'AND' && combineMode !== 'OR') throw invalid(`mode must be "AND" or "OR", got ${JSON.stringify(mode)}`);
    const skip = intIn(offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const take = intIn(limit, 'limit', 100, 1, 10_000);
    const paged = optionalBool(pagination, 'pagination');
    if (stage !== undefined && stage !== null && stage !== 'all' && typeof stage !== 'boolean') throw invalid('stage must be true, false or "all"');
    // filters.version picks staged ("stage") or committed ("latest", "committed") artifacts, like `stage`.
    let f = filters as Record<string, unknown> | null | undefined;
    if (f && typeof f === 'object' && !Array.isArray(f) && 'version' in f) {
      const { version: v, ...rest } = f;
      if (v !== 'stage' && v !== 'latest' && v !== 'committed') throw invalid("Invalid version value, it should be 'stage', 'latest' or 'committed'.");
      if (stage === 'all' || (v === 'stage' ? false : stage === true)) throw invalid('Stage parameter cannot be used with version filter.');
      stage = v === 'stage';
      f = rest;
    }
    const order = orderByClauses(order_by);

    let parent: ArtifactRow | null = null;
    const scope: Condition[] = [];
    if (parent_id !== undefined && parent_id !== null) {
      const found = await this.access.load(db, parent_id, ctx);
      parent = found.row;
      this.access.check(ctx, 'list', parent, found.parent);
      scope.push(sql`parent_id = ${parent.id}`);
      if (parent.config?.private_children === true && !checkPermission(ctx.user, parent.workspace, 'a')) {
        const field = parent.config.recipient_field;
        if (typeof field !== 'string') throw invalid('config.private_children needs config.recipient_field');
        scope.push(sql`jsonb_extract_path_text(manifest, ${field}) = ${ctx.user.email ?? ''}`);
        // A caller's own filter on the recipient field cannot widen (or change) the view.
        if (f && typeof f.manifest === 'object' && f.manifest !== null && !Array.isArray(f.manifest) && field in f.manifest) {
          const { [field]: _dropped, ...manifestRest } = f.manifest as Record<string, unknown>;
          f = { ...f, manifest: manifestRest };
        }
      }
    } else {
      scope.push(sql`workspace = ${ctx.ws}`);
      if (!wholeWorkspace) scope.push(sql`parent_id is null`);
    }
    // Non-members of the workspace see only what the artifacts themselves let them list.
    const perRow = parent === null && !checkPermission(ctx.user, ctx.ws, 'r');
    if (perRow) scope.push(mentionsCaller(ctx));
    if (stage === true) scope.push(sql`staging is not null`);
    else if (stage !== 'all') scope.push(sql`jsonb_array_length(coalesce(versions, '[]'::jsonb)) > 0`);

    let filterParent: string | null | undefined;
    if (f && typeof f === 'object' && !Array.isArray(f) && 'parent_id' in f && f.parent_id !== null) {
      filterParent = (await this.access.load(db, f.parent_id, ctx)).row.id;
    }
    const userConds: Condition[] = [];
    if (keywords !== undefined && keywords !== null) {
      const list = typeof keywords === 'string' ? keywords.split(',') : keywords;
      if (!Array.isArray(list)) throw invalid('keywords must be a list of strings');
      userConds.push(...list.map(keywordCondition));
    }
    userConds.push(...filterConditions(f, { parentUuid: filterParent ?? null }));
    const where = combine([...scope, ...(userConds.length ? [combine(userConds, combineMode)] : [])], 'AND');

    let q = db.selectFrom('artifacts').selectAll().where(where as never);
    for (const o of order) q = q.orderBy(o as never);
    const parents = new Map<string, ArtifactRow | null>();
    if (parent) parents.set(parent.id, parent);
    const parentOf = async (row: ArtifactRow): Promise<ArtifactRow | null> => {
      if (!row.parent_id) return null;
      if (!parents.has(row.parent_id)) parents.set(row.parent_id, await this.access.findById(db, row.parent_id));
      return parents.get(row.parent_id) ?? null;
    };
    let rows: ArtifactRow[];
    let total: number | undefined;
    if (perRow) {
      // Decided row by row, so the page is cut here (the SQL narrowing keeps this small).
      const visible: ArtifactRow[] = [];
      for (const row of await q.execute()) if (visibleToCaller(ctx, row, await parentOf(row))) visible.push(row);
      total = visible.length;
      rows = visible.slice(skip, skip + take);
    } else {
      rows = await q.limit(take).offset(skip).execute();
    }
    if (parent && !optionalBool(silent, 'silent')) {
      await db.updateTable('artifacts').set({ view_count: sql`view_count + 1` }).where('id', '=', parent.id).execute();
    }
    const listFields = Array.isArray(parent?.config?.list_fields) ? (parent!.config!.list_fields as string[]) : null;
    const items: Record<string, unknown>[] = [];
    for (const row of rows) {
      const view = artifactView(row, { parent: await parentOf(row), staged: stage === true });
      items.push(listFields ? Object.fromEntries(listFields.filter((k) => k in view).map((k) => [k, view[k]])) : view);
    }
    if (!paged) return items;
    if (total === undefined) {
      const counted = await db.selectFrom('artifacts').select((eb) => eb.fn.countAll<number>().as('total')).where(where as never).executeTakeFirstOrThrow();
      total = Number(counted.total);
    }
    return { items, total, offset: skip, limit: take };
  }

  // ------------------------------------------------------------------ duplicate / set_parent

  async duplicate(
    source_artifact_id: unknown, target_alias: unknown, target_workspace: unknown, target_parent_id: unknown,
    overwrite: unknown, remove_secrets: unknown, stage: unknown, context: unknown,
  ): Promise<Record<string, unknown>> {
    return duplicateArtifact(this, source_artifact_id, target_alias, target_workspace, target_parent_id, overwrite, remove_secrets, stage, context);
  }

  async set_parent(artifact_id: unknown, new_parent_id: unknown, context: unknown): Promise<Record<string, unknown>> {
    return setParent(this.access, artifact_id, new_parent_id, context);
  }

  // ------------------------------------------------------------------ secrets and stats

  async get_secret(artifact_id: unknown, secret_key: unknown, context: unknown): Promise<unknown> {
    const ctx = requireContext(context);
    const { db } = await this.access.ready();
    const { row } = await this.access.loadFor(db, artifact_id, ctx, 'get_secret');
    const secrets = row.secrets ?? {};
    if (secret_key === undefined || secret_key === null) return secrets;
    if (typeof secret_key !== 'string') throw invalid('secret_key must be a string');
    return secrets[secret_key] ?? null;
  }

  async set_secret(artifact_id: unknown, secret_key: unknown, secret_value: unknown, context: unknown): Promise<void> {
    const ctx = requireContext(context);
    const { db } = await this.access.ready();
    if (typeof secret_key !== 'string' || !secret_key) throw invalid('secret_key must be a non-empty string');
    if (secret_value !== null && typeof secret_value !== 'string' && typeof secret_value !== 'number' && typeof secret_value !== 'boolean') {
      throw invalid('secret_value must be a string, a number, a boolean or None (to remove it)');
    }
    await db.transaction().execute(async (trx) => {
      const { row } = await this.access.loadFor(trx, artifact_id, ctx, 'set_secret', true);
      await this.access.assertWritable(ctx, row.workspace);
      const secrets: JsonObject = { ...(row.secrets ?? {}) };
      if (secret_value === null) delete secrets[secret_key];
      else secrets[secret_key] = secret_value as JsonValue;
      await trx.updateTable('artifacts').set({ secrets: jsonb(secrets) }).where('id', '=', row.id).execute();
    });
  }

  // ------------------------------------------------------------------ publish

  /** Base URLs of the publishing targets. */
  get zenodoServers(): ZenodoServers {
    return { ...DEFAULT_ZENODO_SERVERS, ...(this.access.options.zenodoServers ?? {}) };
  }

  async publish(artifact_id: unknown, to: unknown, metadata: unknown, context: unknown): Promise<Record<string, unknown>> {
    return publishArtifact(this.access, this.zenodoServers, artifact_id, to, metadata, context);
  }

  async reset_stats(artifact_id: unknown, context: unknown): Promise<void> {
    const ctx = requireContext(context);
    const { db } = await this.access.ready();
    const { row } = await this.access.loadFor(db, artifact_id, ctx, 'reset_stats');
    await this.access.assertWritable(ctx, row.workspace);
    await db.updateTable('artifacts').set({ download_count: 0, view_count: 0 }).where('id', '=', row.id).execute();
  }

  async set_download_weight(artifact_id: unknown, file_path: unknown, download_weight: unknown, context: unknown): Promise<void> {
    const ctx = requireContext(context);
    const { db } = await this.access.ready();
    if (typeof file_path !== 'string' || !file_path) throw invalid('file_path must be a non-empty string');
    if (typeof download_weight !== 'number' || !Number.isFinite(download_weight) || download_weight < 0) throw negativeWeight(download_weight);
    await db.transaction().execute(async (trx) => {
      const { row } = await this.access.loadFor(trx, artifact_id, ctx, 'set_download_weight', true);
      await this.access.assertWritable(ctx, row.workspace);
      const config: JsonObject = { ...(row.config ?? {}) };
      const weights: JsonObject = { ...((config.download_weights as JsonObject | undefined) ?? {}) };
      if (download_weight === 0) delete weights[file_path];
      else weights[file_path] = download_weight;
      config.download_weights = weights;
      await trx.updateTable('artifacts').set({ config: jsonb(config) }).where('id', '=', row.id).execute();
    });
  }
}

function isRecipient(row: ArtifactRow, parent: ArtifactRow, ctx: ArtifactContext): boolean {
  const field = parent.config?.recipient_field;
  if (typeof field !== 'string' || !ctx.user.email) return false;
  return (row.manifest as JsonObject | null)?.[field] === ctx.user.email;
}

/** Index of the committed version `delete(version=...)` may remove, with the reference's messages. */
function deletableVersion(row: ArtifactRow, version: unknown): number {
  if (version === 'stage') {
    throw invalid(
      stagingOf(row)
        ? "Cannot delete staged version. The artifact is in staging mode. Please use the 'discard' function instead to remove staged changes."
        : 'Cannot delete staged version. The artifact is not in staging mode.',
    );
  }
  const versions = versionsOf(row);
  if (typeof version === 'number' && (!Number.isInteger(version) || version < 0 || version >= versions.length)) {
    throw invalid(`Version index ${version} is out of range. Available indices: 0-${versions.length - 1}`);
  }
  if (typeof version === 'string' && version !== 'latest' && !/^\d+$/.test(version) && !versions.some((v) => v.version === version)) {
    throw invalid(`Version '${version}' does not exist. Available versions: [${versions.map((v) => `'${v.version}'`).join(', ')}]`);
  }
  const index = versionIndex(row, version);
  if (index >= versions.length) throw invalid(`Version index ${index} is out of range. Available indices: 0-${versions.length - 1}`);
  return index;
}

/** Moves the files and snapshots of versions `from..to` (inclusive) down one index. */
async function shiftVersions(store: import('@hypha/storage').BlobStore, s: { row: ArtifactRow; from: number; to: number }): Promise<void> {
  for (let i = s.from; i <= s.to; i++) {
    const src = versionPrefix(s.row, i);
    const dst = versionPrefix(s.row, i - 1);
    for await (const o of walk(store, src)) await store.copy(o.key, dst + o.key.slice(src.length));
    await store.deletePrefix(src);
    const snap = await store.head(snapshotKey(s.row, i));
    if (snap) {
      await store.copy(snapshotKey(s.row, i), snapshotKey(s.row, i - 1));
      await store.delete(snapshotKey(s.row, i));
    }
  }
}

async function deleteSnapshots(store: import('@hypha/storage').BlobStore, prefix: string): Promise<void> {
  const listing = await store.list(prefix, { delimiter: '/' });
  for (const o of listing.objects) if (/\/v\d+\.json$/.test(o.key)) await store.delete(o.key);
}

/** Directory index of a committed version: `vN` name, an index, `latest` (default). */
export function versionIndex(row: ArtifactRow, version: unknown): number {
  const versions = versionsOf(row);
  // Like the reference, an artifact that was never committed reads from its first (staged) folder.
  if ((version === undefined || version === null) && !versions.length) return 0;
  if (version === undefined || version === null || version === 'latest') {
    if (!versions.length) throw notFound(`Artifact ${row.workspace}/${row.alias} has no committed version.`);
    return versions.length - 1;
  }
  if (version === 'stage') return stagedVersionIndex(row);
  if (typeof version === 'number' && Number.isInteger(version)) {
    if (version < 0 || version >= versions.length) throw notFound(`Artifact version index ${version} does not exist.`);
    return version;
  }
  if (typeof version === 'string') {
    const i = versions.findIndex((v) => v.version === version);
    if (i >= 0) return i;
    if (/^\d+$/.test(version) && Number(version) < versions.length) return Number(version);
    throw notFound(`Artifact version '${version}' does not exist.`);
  }
  throw invalid('version must be a string or an integer');
}

