import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isDatabaseError,
  jsonb,
  listAppliedMigrations,
  migrateToLatest,
  type HyphaDatabase,
} from '../src/index.js';
import { pgliteBackend, postgresBackend, type Backend } from './backends.js';

const now = Math.floor(Date.now() / 1000);

function artifactRow(id: string, alias: string) {
  return {
    id,
    type: 'collection',
    workspace: 'ws-test',
    parent_id: null,
    alias,
    manifest: jsonb({ name: 'Datasets ✓', tags: ['a', 'b'], nested: { n: 1.5, ok: true, none: null } }),
    staging: null,
    created_at: now,
    created_by: 'user-1',
    last_modified: now,
    versions: jsonb([{ version: 'v0', comment: 'first', created_at: now }]),
    config: jsonb({ permissions: { '*': 'r' } }),
    secrets: null,
  };
}

describe.each([
  ['pglite', pgliteBackend],
  ['postgres', postgresBackend],
] as const)('@hypha/db on %s', (_name, makeBackend) => {
  let backend: Backend;
  let handle: HyphaDatabase;

  beforeAll(async () => {
    backend = await makeBackend();
    handle = await backend.open();
  });

  afterAll(async () => {
    await handle?.close();
    await backend?.cleanup();
  });

  it('applies the migrations once and is idempotent on every later start', async () => {
    expect(handle.backend).toBe(backend.name);
    expect(await listAppliedMigrations(handle.db, { schema: backend.schema })).toEqual(['0001-artifacts']);
    expect(await migrateToLatest(handle.db, { schema: backend.schema })).toEqual([]);

    await handle.db.insertInto('artifacts').values(artifactRow('id-persist', 'persist')).execute();
    await handle.close();
    await handle.close(); // idempotent
    handle = await backend.open();
    expect(await listAppliedMigrations(handle.db, { schema: backend.schema })).toEqual(['0001-artifacts']);
    const row = await handle.db.selectFrom('artifacts').select('alias').where('id', '=', 'id-persist').executeTakeFirst();
    expect(row).toEqual({ alias: 'persist' });
  });

  it('round-trips jsonb values, bigint epochs and defaults', async () => {
    await handle.db.insertInto('artifacts').values(artifactRow('id-json', 'json')).execute();
    const row = await handle.db.selectFrom('artifacts').selectAll().where('id', '=', 'id-json').executeTakeFirstOrThrow();
    expect(row.manifest).toEqual({ name: 'Datasets ✓', tags: ['a', 'b'], nested: { n: 1.5, ok: true, none: null } });
    expect(row.versions).toEqual([{ version: 'v0', comment: 'first', created_at: now }]);
    expect(row.config).toEqual({ permissions: { '*': 'r' } });
    expect(row.staging).toBeNull();
    expect(row.secrets).toBeNull();
    expect(row.created_at).toBe(now);
    expect(row.download_count).toBe(0);
    expect(row.file_count).toBe(0);

    const big = 4_102_444_800_000; // beyond int4: year 2100 in milliseconds
    await handle.db
      .updateTable('artifacts')
      .set({ last_modified: big, staging: jsonb({ files: [], _intent: 'new_version' }) })
      .where('id', '=', 'id-json')
      .execute();
    const found = await handle.db
      .selectFrom('artifacts')
      .select(['id', 'last_modified', 'staging'])
      .where(sql<boolean>`manifest @> ${jsonb({ tags: ['b'] })}`)
      .where(sql<string>`manifest->'nested'->>'n'`, '=', '1.5')
      .where('id', '=', 'id-json')
      .execute();
    expect(found).toEqual([{ id: 'id-json', last_modified: big, staging: { files: [], _intent: 'new_version' } }]);
  });

  it('enforces the unique (workspace, alias) constraint', async () => {
    await handle.db.insertInto('artifacts').values(artifactRow('id-u1', 'unique-alias')).execute();
    await expect(
      handle.db.insertInto('artifacts').values(artifactRow('id-u2', 'unique-alias')).execute(),
    ).rejects.toThrow(/_workspace_alias_uc/);
  });

  it('keeps event logs and block list rows', async () => {
    const inserted = await handle.db
      .insertInto('event_logs')
      .values({ event_type: 'artifact_created', workspace: 'ws-test', user_id: 'user-1', data: jsonb({ id: 'x' }) })
      .returning(['id', 'timestamp'])
      .executeTakeFirstOrThrow();
    expect(typeof inserted.id).toBe('number');
    expect(inserted.timestamp).toBeInstanceOf(Date);
    await handle.db.insertInto('blocklist').values({ kind: 'ip', key: '10.0.0.1', reason: 'abuse', expires_at: null }).execute();
    await expect(
      handle.db.insertInto('blocklist').values({ kind: 'bogus' as 'ip', key: 'k', reason: null, expires_at: null }).execute(),
    ).rejects.toThrow(/check constraint/);
  });

  it('loses no update when two writers increment one row under row locks', async () => {
    await handle.db.insertInto('artifacts').values(artifactRow('id-counter', 'counter')).execute();
    const increments = 20;
    const writer = async () => {
      for (let i = 0; i < increments; i++) {
        await handle.db.transaction().execute(async (trx) => {
          const { download_count } = await trx
            .selectFrom('artifacts')
            .select('download_count')
            .where('id', '=', 'id-counter')
            .forUpdate()
            .executeTakeFirstOrThrow();
          // Yield between read and write so the other writer gets a chance to interleave.
          await new Promise((resolve) => setImmediate(resolve));
          await trx.updateTable('artifacts').set({ download_count: download_count + 1 }).where('id', '=', 'id-counter').execute();
        });
      }
    };
    await Promise.all([writer(), writer()]);
    const row = await handle.db.selectFrom('artifacts').select('download_count').where('id', '=', 'id-counter').executeTakeFirstOrThrow();
    expect(row.download_count).toBe(2 * increments);
  });

  it('rolls back a failed transaction', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.insertInto('artifacts').values(artifactRow('id-rollback', 'rollback')).execute();
        throw new Error('abort on purpose');
      }),
    ).rejects.toThrow('abort on purpose');
    const rows = await handle.db.selectFrom('artifacts').select('id').where('id', '=', 'id-rollback').execute();
    expect(rows).toEqual([]);
  });

  it('keeps its tables in its own schema', async () => {
    const result = await sql<{ table_schema: string }>`
      select table_schema from information_schema.tables where table_name = 'artifacts'`.execute(handle.db);
    const schemas = result.rows.map((r) => r.table_schema);
    expect(schemas).toContain(backend.schema ?? 'public');
  });
});

describe('@hypha/db options', () => {
  it('rejects URIs it cannot use with errors that name the problem', async () => {
    const { createDatabase } = await import('../src/index.js');
    await expect(createDatabase({ uri: 'mysql://root@127.0.0.1/test' })).rejects.toSatisfy(
      (e) => isDatabaseError(e, 'INVALID_URI') && /"mysql" is not supported/.test((e as Error).message),
    );
    await expect(createDatabase({ uri: 'sqlite+aiosqlite:///./hypha.db' })).rejects.toThrow(/SQLite is replaced/);
    await expect(createDatabase({ uri: 'not a uri' })).rejects.toThrow(/has no scheme/);
    await expect(createDatabase({ uri: 'postgresql://postgres@127.0.0.1:5432/test', schema: 'Bad-Name' })).rejects.toSatisfy(
      (e) => isDatabaseError(e, 'INVALID_OPTIONS') && /Bad-Name/.test((e as Error).message),
    );
  });

  it('reports an unreachable server with its address and without the password', async () => {
    const { createDatabase } = await import('../src/index.js');
    const error: unknown = await createDatabase({ uri: 'postgresql+asyncpg://postgres:s3cret@127.0.0.1:1/test' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseError(error, 'CONNECTION_FAILED')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain('s3cret');
  });
});
