/**
 * `@hypha/db`: Kysely over embedded PGlite or PostgreSQL, with migrations.
 *
 * @example
 * import { createDatabase, jsonb } from '@hypha/db';
 * const { db, close } = await createDatabase({ uri: process.env.DATABASE_URI, dataDir: './data' });
 */
export { createDatabase } from './create-database.js';
export type { DatabaseOptions, HyphaDatabase } from './create-database.js';
export { jsonb } from './json.js';
export type { Jsonb, JsonColumn, JsonObject, JsonValue } from './json.js';
export type { ArtifactsTable, BlocklistTable, Database, EventLogsTable } from './tables.js';
export { DatabaseError, isDatabaseError } from './errors.js';
export type { DatabaseErrorCode } from './errors.js';
export { listAppliedMigrations, migrateToLatest, MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from './migrate.js';
export { migrations } from './migrations/index.js';
export { parsePostgresUri } from './uri.js';
export type { PostgresUri } from './uri.js';
