import { sql, type Kysely } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely';
import { DatabaseError } from './errors.js';
import { migrations } from './migrations/index.js';

/** Name of the table that records applied migrations (in the instance's schema). */
export const MIGRATION_TABLE = 'hypha_migration';
/** Name of the migration lock table. */
export const MIGRATION_LOCK_TABLE = 'hypha_migration_lock';

// Arbitrary constant ("hypha" in ASCII) so concurrent starts serialise schema creation.
const SCHEMA_LOCK_KEY = 0x6879706861;

const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };

/**
 * Creates the schema when given, then applies every pending migration. Safe to run from several
 * instances at once: Postgres serialises them with advisory locks, and applied migrations are
 * skipped.
 *
 * @returns the names of the migrations this call applied (empty when already up to date).
 * @throws DatabaseError `MIGRATION_FAILED` naming the migration, with the driver error as cause.
 */
export async function migrateToLatest(db: Kysely<any>, options: { schema?: string } = {}): Promise<string[]> {
  const { schema } = options;
  if (schema !== undefined) {
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`.execute(trx);
      await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    });
  }
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    migrationTableSchema: schema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const where = failed === undefined ? 'before any migration ran' : `in migration ${failed}`;
    const detail = error instanceof Error ? error.message : String(error);
    throw new DatabaseError('MIGRATION_FAILED', `database migration failed ${where}: ${detail}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations recorded as applied, in order. */
export async function listAppliedMigrations(db: Kysely<any>, options: { schema?: string } = {}): Promise<string[]> {
  const table = options.schema === undefined ? MIGRATION_TABLE : `${options.schema}.${MIGRATION_TABLE}`;
  const rows = await db.selectFrom(table).select('name').orderBy('name').execute();
  return rows.map((r: { name: string }) => r.name);
}
