import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type HyphaDatabase } from '../src/index.js';

export const POSTGRES_URI = 'postgresql://postgres@127.0.0.1:5432/test';

/** One backend under test: opens databases that share state until `cleanup()`. */
export interface Backend {
  name: 'pglite' | 'postgres';
  /** Schema the databases are opened with, if any. */
  schema?: string;
  /** Opens a database on this backend's shared storage (a data dir, or a schema). */
  open(): Promise<HyphaDatabase>;
  /** Removes everything this backend created. */
  cleanup(): Promise<void>;
}

export async function pgliteBackend(): Promise<Backend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hypha-db-test-'));
  return {
    name: 'pglite',
    open: () => createDatabase({ dataDir }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

export async function postgresBackend(): Promise<Backend> {
  const schema = `hypha_db_test_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    schema,
    open: () => createDatabase({ uri: POSTGRES_URI, schema }),
    async cleanup() {
      const client = new pg.Client({ connectionString: POSTGRES_URI });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
