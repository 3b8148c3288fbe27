/** Artifact rows, their staging state, and the API representation (server-api §4.1). */
import type { Selectable } from 'kysely';
import type { ArtifactsTable, JsonObject, JsonValue } from '@hypha/db';
import { expandPermission } from './permissions.js';

export type ArtifactRow = Selectable<ArtifactsTable>;

/** A staged file: its path and its download weight. */
export interface StagedFile {
  path: string;
  download_weight?: number;
}

/** What the `staging` column holds (non-null means there are staged changes). */
export interface Staging {
  files: StagedFile[];
  _intent?: 'new_version';
  manifest?: JsonObject;
  config?: JsonObject;
  type?: string;
}

export interface VersionEntry {
  version: string;
  comment: string | null;
  created_at: number;
}

export function stagingOf(row: Pick<ArtifactRow, 'staging'>): Staging | null {
  const s = row.staging;
  if (!s) return null;
  const files = Array.isArray(s.files) ? (s.files as unknown as StagedFile[]) : [];
  return { ...(s as unknown as Staging), files };
}

export function versionsOf(row: Pick<ArtifactRow, 'versions'>): VersionEntry[] {
  return Array.isArray(row.versions) ? (row.versions as unknown as VersionEntry[]) : [];
}

/** Directory index of the staged files: a new version's, or the current one's (in-place edits). */
export function stagedVersionIndex(row: Pick<ArtifactRow, 'versions' | 'staging'>): number {
  const n = versionsOf(row).length;
  const s = stagingOf(row);
  return s?._intent === 'new_version' || n === 0 ? n : n - 1;
}

/** The API's `staging`: the file entries plus `{_intent}` when set, or null. */
function stagingView(s: Staging | null): JsonValue[] | null {
  if (!s) return null;
  const out: JsonValue[] = s.files.map((f) => ({ ...f }) as JsonObject);
  if (s._intent) out.push({ _intent: s._intent });
  return out;
}

export function permissionsView(config: JsonObject | null): Record<string, string[]> {
  const perms = config?.permissions;
  const out: Record<string, string[]> = {};
  if (perms && typeof perms === 'object' && !Array.isArray(perms)) {
    for (const [k, v] of Object.entries(perms)) out[k] = expandPermission(v);
  }
  return out;
}

export interface ViewOptions {
  parent: Pick<ArtifactRow, 'workspace' | 'alias'> | null;
  /** Show the staged manifest, config and type. */
  staged?: boolean;
}

/** The API dict of an artifact; never includes `secrets`. */
export function artifactView(row: ArtifactRow, o: ViewOptions): Record<string, unknown> {
  const s = stagingOf(row);
  const manifest = o.staged && s?.manifest ? s.manifest : row.manifest;
  const config = o.staged && s?.config ? s.config : row.config;
  return {
    id: `${row.workspace}/${row.alias}`,
    _id: row.id,
    type: o.staged && s?.type ? s.type : row.type,
    workspace: row.workspace,
    parent_id: o.parent ? `${o.parent.workspace}/${o.parent.alias}` : null,
    alias: row.alias,
    manifest,
    staging: stagingView(s),
    download_count: row.download_count,
    view_count: row.view_count,
    file_count: row.file_count,
    created_at: row.created_at,
    created_by: row.created_by,
    last_modified: row.last_modified,
    versions: versionsOf(row),
    config,
    _permissions: permissionsView(config),
  };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
