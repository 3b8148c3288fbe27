import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Extensions } from '@electric-sql/pglite';
import type { Dialect } from 'kysely';
import { PGliteDialect } from './pglite-dialect.js';
import { INT8_OID, parseInt8 } from './int8.js';
import { PGLITE_SETTINGS, createDatabaseInChild, hasDatabase } from './pglite-init.js';

/** Options of {@link openPGlite}. */
export interface PGliteBackendOptions {
  /** Directory for the database files; in memory when omitted. */
  dataDir?: string;
  /** Schema to put first on `search_path`. */
  schema?: string;
  /** PGlite extensions to load (for example pgvector from `@electric-sql/pglite-pgvector`). */
  extensions?: Extensions;
}

/** Sub-directory of `dataDir` that PGlite owns. */
export const PGLITE_SUBDIR = 'pglite';

/**
 * Opens (creating on first use) an embedded PGlite database and returns a Kysely dialect over it.
 * A fresh on-disk database is created in a child process (see `createDatabaseInChild`), which
 * takes seconds, which is why callers open it in the background.
 */
export async function openPGlite(options: PGliteBackendOptions): Promise<Dialect> {
  const { PGlite } = await import('@electric-sql/pglite');
  let dataDir: string | undefined;
  if (options.dataDir !== undefined) {
    dataDir = join(options.dataDir, PGLITE_SUBDIR);
    await mkdir(dataDir, { recursive: true });
    if (!hasDatabase(dataDir)) await createDatabaseInChild(dataDir);
  }
  const pglite = await PGlite.create({
    dataDir,
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    extensions: options.extensions,
    parsers: { [INT8_OID]: parseInt8 },
  });
  if (options.schema !== undefined) {
    // The name was checked by checkSchemaName, so it needs no quoting.
    await pglite.exec(`SET search_path TO ${options.schema}`);
  }
  return new PGliteDialect(pglite);
}
