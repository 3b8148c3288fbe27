import type { ColumnType, Generated } from 'kysely';
import type { JsonColumn, JsonObject, JsonValue } from './json.js';

/** A column the database fills with a default when an insert leaves it out. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/**
 * One artifact (server-api §4.1). `id` is a UUIDv7; `(workspace, alias)` is unique.
 * Timestamps are epoch seconds.
 */
export interface ArtifactsTable {
  id: string;
  type: string | null;
  workspace: string;
  parent_id: string | null;
  alias: string | null;
  /** Committed metadata, free-form. */
  manifest: JsonColumn<JsonObject>;
  /** Non-null means there are staged changes. */
  staging: JsonColumn<JsonObject>;
  download_count: Defaulted<number>;
  view_count: Defaulted<number>;
  file_count: Defaulted<number>;
  created_at: number;
  created_by: string | null;
  last_modified: number;
  /** `[{ version, comment, created_at }, ...]`; committed means at least one entry. */
  versions: JsonColumn<JsonValue[]>;
  config: JsonColumn<JsonObject>;
  /** Never returned by the API. */
  secrets: JsonColumn<JsonObject>;
}

/** Workspace event log entries. */
export interface EventLogsTable {
  id: Generated<number>;
  event_type: string;
  workspace: string;
  user_id: string;
  timestamp: Defaulted<Date>;
  data: JsonColumn<JsonValue>;
}

/** Blocked users and IP addresses. */
export interface BlocklistTable {
  kind: 'user' | 'ip';
  key: string;
  reason: string | null;
  expires_at: Date | null;
  created_at: Defaulted<Date>;
}

/** Every table `@hypha/db` migrations create, for `Kysely<Database>`. */
export interface Database {
  artifacts: ArtifactsTable;
  event_logs: EventLogsTable;
  blocklist: BlocklistTable;
}
