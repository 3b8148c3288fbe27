import type { Extensions } from '@electric-sql/pglite';
import { Kysely, sql, type Dialect } from 'kysely';
import { DatabaseError } from './errors.js';
import { migrateToLatest } from './migrate.js';
import { openPGlite } from './pglite-backend.js';
import { openPostgres } from './postgres-backend.js';
import { checkSchemaName } from './schema-name.js';
import type { Database } from './tables.js';
import { parsePostgresUri } from './uri.js';

/** Options of {@link createDatabase}. */
export interface DatabaseOptions {
  /**
   * PostgreSQL URI (`postgresql://user:pass@host:5432/db`; `postgres://` and SQLAlchemy-style
   * `postgresql+asyncpg://` are accepted too). When omitted, an embedded PGlite database is used.
   */
  uri?: string;
  /**
   * Embedded mode only: directory under which the database is kept (in `<dataDir>/pglite`).
   * When omitted too, the embedded database lives in memory and is lost on close.
   */
  dataDir?: string;
  /**
   * Postgres schema that holds this instance's tables (created if missing; first on
   * `search_path`). Lets several instances or test runs share one database. Lower-case
   * identifiers only. Defaults to the connection's own `search_path` (normally `public`).
   */
  schema?: string;
  /** Embedded mode only: PGlite extensions to load, such as pgvector. */
  pgliteExtensions?: Extensions;
  /** Postgres mode only: pool size. @default 10 */
  maxConnections?: number;
  /**
   * Receives errors of idle pooled Postgres connections (the pool replaces them).
   * Defaults to one JSON line on stderr.
   */
  onIdleError?: (error: Error) => void;
}

/** An open database: a typed Kysely instance with migrations applied. */
export interface HyphaDatabase extends AsyncDisposable {
  /** Query builder over every table; the same SQL runs on both backends. */
  readonly db: Kysely<Database>;
  /** Which backend is in use. Informational: code should not branch on it. */
  readonly backend: 'pglite' | 'postgres';
  /** The schema given in the options, if any. */
  readonly schema: string | undefined;
  /** Closes the pool or the embedded database. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the SQL database, checks the connection and applies pending migrations.
 *
 * Opening a fresh embedded database takes seconds: a server should start this in the background
 * and answer liveness probes meanwhile.
 *
 * @example
 * const { db, close } = await createDatabase({ dataDir: './data' });
 * const rows = await db.selectFrom('artifacts').selectAll().execute();
 * await close();
 * @throws DatabaseError `INVALID_URI`, `INVALID_OPTIONS`, `CONNECTION_FAILED` or `MIGRATION_FAILED`.
 */
export async function createDatabase(options: DatabaseOptions = {}): Promise<HyphaDatabase> {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  let dialect: Dialect;
  let where: string;
  if (options.uri !== undefined) {
    if (options.pgliteExtensions !== undefined) {
      throw new DatabaseError('INVALID_OPTIONS', 'pgliteExtensions only apply to the embedded database, not to a database URI');
    }
    const uri = parsePostgresUri(options.uri);
    where = `PostgreSQL at ${uri.redacted}`;
    dialect = await openPostgres({
      connectionString: uri.connectionString,
      schema,
      maxConnections: options.maxConnections,
      onIdleError: options.onIdleError ?? logIdleError,
    });
  } else {
    where = options.dataDir === undefined ? 'embedded database (in memory)' : `embedded database in ${options.dataDir}`;
    try {
      dialect = await openPGlite({ dataDir: options.dataDir, schema, extensions: options.pgliteExtensions });
    } catch (cause) {
      throw new DatabaseError('CONNECTION_FAILED', `cannot open ${where}: ${messageOf(cause)}`, { cause });
    }
  }
  const db = new Kysely<Database>({ dialect });
  try {
    try {
      await sql`select 1`.execute(db);
    } catch (cause) {
      throw new DatabaseError('CONNECTION_FAILED', `cannot connect to ${where}: ${messageOf(cause)}`, { cause });
    }
    await migrateToLatest(db, { schema });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= db.destroy());
  return {
    db,
    backend: options.uri === undefined ? 'pglite' : 'postgres',
    schema,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(messageOf).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  // PGlite rejects with plain objects (e.g. an Emscripten exit status), which String() shows as [object Object].
  if (typeof error === 'object' && error !== null) {
    const { message } = error as { message?: unknown };
    return typeof message === 'string' && message !== '' ? message : JSON.stringify(error);
  }
  return String(error);
}

function logIdleError(error: Error): void {
  process.stderr.write(
    JSON.stringify({ level: 'error', component: '@hypha/db', msg: 'idle database connection failed', error: error.message }) + '\n',
  );
}
