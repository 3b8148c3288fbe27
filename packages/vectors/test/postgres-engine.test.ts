import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@hypha/db';
import type { HyphaDatabase } from '@hypha/db';
import { PgVectorEngine } from '../src/index.js';
import { engineContract } from './engine-contract.js';

const URI = 'postgresql://postgres@127.0.0.1:5432/test';

async function openSchema(): Promise<HyphaDatabase> {
  return createDatabase({ uri: URI, schema: `hypha_vec_test_${randomBytes(6).toString('hex')}` });
}

async function dropSchema(database: HyphaDatabase): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(database.schema!)} CASCADE`.execute(database.db);
  await database.close();
}

// The local PostgreSQL may or may not have pgvector: with it, the whole contract runs; without it,
// creating a collection must fail naming the extension and leave nothing behind.
const probe = await createDatabase({ uri: URI });
const available = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`.execute(probe.db)).rows[0]!.n > 0;
await probe.close();

if (available) {
  engineContract('pgvector on PostgreSQL', async () => {
    const database = await openSchema();
    return { engine: new PgVectorEngine(database.db), close: () => dropSchema(database) };
  });
} else {
  describe('PostgreSQL without the vector extension', () => {
    let database: HyphaDatabase;
    beforeAll(async () => {
      database = await openSchema();
    });
    afterAll(async () => {
      await dropSchema(database);
    });

    it('refuses to create a collection with an error naming the extension, and creates nothing', async () => {
      const engine = new PgVectorEngine(database.db);
      const tables = async () =>
        (await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ${database.schema!}::text`.execute(database.db)).rows.map((r) => r.t);
      const before = await tables();
      await expect(engine.createCollection('ws/c', { dimension: 8, distanceMetric: 'cosine' })).rejects.toThrow(
        'Vector collections need the PostgreSQL extension "vector" (pgvector)',
      );
      expect(await tables()).toEqual(before);
      expect(await engine.collectionSpec('ws/c')).toBeNull();
      await expect(engine.searchVectors('ws/c', {})).rejects.toThrow('Vector collection ws/c not found');
    });
  });
}
