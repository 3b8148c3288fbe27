import { PostgresDialect, type Dialect } from 'kysely';
import { INT8_OID, parseInt8 } from './int8.js';

/** Options of {@link openPostgres}. */
export interface PostgresBackendOptions {
  /** A `postgresql://` connection string (already validated). */
  connectionString: string;
  /** Schema to put first on `search_path` of every pooled connection. */
  schema?: string;
  /** Pool size. @default 10 */
  maxConnections?: number;
  /** Called with errors of idle pooled connections (the pool drops them and reconnects). */
  onIdleError: (error: Error) => void;
}

/** Creates a connection pool to PostgreSQL and a Kysely dialect over it. */
export async function openPostgres(options: PostgresBackendOptions): Promise<Dialect> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    options: options.schema === undefined ? undefined : `-c search_path=${options.schema}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? parseInt8
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', options.onIdleError);
  return new PostgresDialect({ pool });
}
