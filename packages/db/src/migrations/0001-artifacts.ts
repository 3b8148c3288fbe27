import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely';

/**
 * The reference's initial schema (Alembic `9096f050eb04`) plus the `blocklist` table, in
 * Postgres types: JSON columns are jsonb, epoch-second columns are bigint.
 */
export const artifactsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('artifacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text')
      .addColumn('workspace', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text', (c) => c.references('artifacts.id'))
      .addColumn('alias', 'text')
      .addColumn('manifest', 'jsonb')
      .addColumn('staging', 'jsonb')
      .addColumn('download_count', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('view_count', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('file_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('last_modified', 'bigint', (c) => c.notNull())
      .addColumn('versions', 'jsonb')
      .addColumn('config', 'jsonb')
      .addColumn('secrets', 'jsonb')
      .addUniqueConstraint('_workspace_alias_uc', ['workspace', 'alias'])
      .execute();
    await db.schema.createIndex('ix_artifacts_workspace').on('artifacts').column('workspace').execute();
    await db.schema.createIndex('ix_artifacts_parent_id').on('artifacts').column('parent_id').execute();

    await db.schema
      .createTable('event_logs')
      .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('workspace', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('timestamp', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('data', 'jsonb')
      .execute();
    await db.schema.createIndex('ix_event_logs_timestamp').on('event_logs').column('timestamp').execute();
    await db.schema
      .createIndex('ix_event_logs_workspace_timestamp')
      .on('event_logs')
      .columns(['workspace', 'timestamp'])
      .execute();

    await db.schema
      .createTable('blocklist')
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('user', 'ip')`))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('expires_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('blocklist_pkey', ['kind', 'key'])
      .execute();
    await db.schema.createIndex('ix_blocklist_expires_at').on('blocklist').column('expires_at').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('blocklist').execute();
    await db.schema.dropTable('event_logs').execute();
    await db.schema.dropTable('artifacts').execute();
  },
};
