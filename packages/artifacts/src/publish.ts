/**
 * `publish(artifact_id, to="zenodo"|"sandbox_zenodo", metadata=None)` (server-api §4.4): the
 * latest committed version goes to a Zenodo deposition (a new one; the one reserved at create
 * time for a `{zenodo_id}` alias; or a new version of the record published before), with its
 * manifest as metadata and its files uploaded; the published record is kept in `config.zenodo`.
 */
import { jsonb } from '@hypha/db';
import type { JsonObject } from '@hypha/db';
import { requireContext } from './access.js';
import type { ArtifactAccess } from './access.js';
import { walk } from './blob-util.js';
import { invalid } from './errors.js';
import { versionPrefix } from './keys.js';
import { versionsOf } from './record.js';
import type { ArtifactRow } from './record.js';
import { zenodoClientFor } from './zenodo-client.js';
import type { Deposition, ZenodoClient, ZenodoServers } from './zenodo-client.js';

/** An artifact's secrets over its collection's (the token may sit on either). */
export function publishingSecrets(row: ArtifactRow, parent: ArtifactRow | null): Record<string, unknown> {
  return { ...(parent?.secrets ?? {}), ...(row.secrets ?? {}) };
}

/** The deposition to fill: the reserved or earlier one, a new version of a published record, or a new one. */
async function depositionFor(client: ZenodoClient, previous: unknown): Promise<Deposition> {
  if (previous && typeof previous === 'object') {
    const p = previous as Record<string, unknown>;
    const recordId = (p.record_id ?? p.id) as string | number | undefined;
    const published = 'doi' in p && p.state === 'done';
    if (published && recordId !== undefined) return client.createNewVersion(recordId);
    if (p.id !== undefined && p.id !== null) return client.loadDeposition(p.id as string | number);
  }
  return client.createDeposition();
}

export async function publishArtifact(
  access: ArtifactAccess, servers: ZenodoServers, artifact_id: unknown, to: unknown, metadata: unknown, context: unknown,
): Promise<Deposition> {
  const ctx = requireContext(context);
  const { db, store } = await access.ready();
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw invalid('metadata must be a map of Zenodo metadata fields');
  }
  const { row, parent } = await access.loadFor(db, artifact_id, ctx, 'publish');
  const manifest = row.manifest ?? {};
  if (Object.keys(manifest).length === 0) throw invalid('Manifest is empty or not committed.');
  if (!('name' in manifest)) throw invalid('Manifest must have a name.');
  if (!('description' in manifest)) throw invalid('Manifest must have a description.');
  const versions = versionsOf(row);
  if (versions.length === 0) throw invalid(`Artifact ${row.workspace}/${row.alias} has no committed version to publish; commit it first.`);
  const target = to ?? row.config?.publish_to;
  const client = zenodoClientFor(target, publishingSecrets(row, parent), servers);

  const deposition = await depositionFor(client, row.config?.zenodo);
  const authors = Array.isArray(manifest.authors) ? (manifest.authors as Array<{ name?: unknown }>) : [{ name: ctx.user.id }];
  await client.updateMetadata(deposition, {
    title: manifest.name ?? 'Untitled',
    upload_type: row.type === 'dataset' ? 'dataset' : 'other',
    description: manifest.description ?? 'No description provided.',
    creators: authors.map((a) => ({ name: a?.name })),
    access_right: 'open',
    license: manifest.license ?? 'cc-by',
    keywords: Array.isArray(manifest.tags) ? manifest.tags : [],
    notes: `Published automatically from Hypha (${access.options.publicBaseUrl}).`,
    ...((metadata as Record<string, unknown> | null | undefined) ?? {}),
  });

  // Files of the latest version that the deposition (a new version of a record) does not hold yet.
  const present = new Set((await client.listFiles(deposition)).map((f) => f.filename));
  const prefix = versionPrefix(row, versions.length - 1);
  for await (const info of walk(store, prefix)) {
    const path = info.key.slice(prefix.length);
    if (present.has(path)) continue;
    const { body } = await store.get(info.key);
    await client.uploadFile(deposition, path, body, info.size);
  }
  const record = await client.publish(deposition);

  await db.transaction().execute(async (trx) => {
    const current = (await access.find(trx, { uuid: row.id }, true)) ?? row;
    const config: JsonObject = { ...(current.config ?? {}), zenodo: record as unknown as JsonObject };
    await trx.updateTable('artifacts').set({ config: jsonb(config) }).where('id', '=', row.id).execute();
  });
  return record;
}
