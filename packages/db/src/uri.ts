import { DatabaseError } from './errors.js';

/** A PostgreSQL URI after validation. */
export interface PostgresUri {
  /** URI with a plain `postgresql:` scheme, as `pg` expects it. */
  connectionString: string;
  /** The same URI with the password replaced by `***`, safe for messages and logs. */
  redacted: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Validates a `--database-uri`. Accepts `postgres://`, `postgresql://` and the reference server's
 * SQLAlchemy spellings such as `postgresql+asyncpg://` (the driver suffix is dropped).
 *
 * @throws DatabaseError `INVALID_URI` naming what is wrong.
 */
export function parsePostgresUri(uri: string): PostgresUri {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) {
    throw new DatabaseError('INVALID_URI', `database URI "${redactText(uri)}" has no scheme; expected postgresql://user@host:port/database`);
  }
  const base = scheme.split('+')[0];
  if (base === 'sqlite') {
    throw new DatabaseError(
      'INVALID_URI',
      `database URI scheme "${scheme}" is not supported: SQLite is replaced by the embedded PGlite database (omit --database-uri) or PostgreSQL (postgresql://...)`,
    );
  }
  if (base !== 'postgres' && base !== 'postgresql') {
    throw new DatabaseError('INVALID_URI', `database URI scheme "${scheme}" is not supported; expected postgresql://`);
  }
  const connectionString = 'postgresql:' + uri.slice(scheme.length + 1);
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch (cause) {
    throw new DatabaseError('INVALID_URI', `database URI "${redactText(uri)}" is malformed`, { cause });
  }
  if (!url.hostname && !url.searchParams.get('host')) {
    throw new DatabaseError('INVALID_URI', `database URI "${redactText(uri)}" names no host`);
  }
  if (url.password) url.password = '***';
  return { connectionString, redacted: url.toString() };
}

/** Best-effort password redaction for strings that failed to parse as URLs. */
function redactText(uri: string): string {
  return uri.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
