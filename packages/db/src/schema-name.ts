import { DatabaseError } from './errors.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks a Postgres schema name. Only lower-case unquoted identifiers are accepted so the name
 * can go into `search_path` without quoting rules.
 *
 * @throws DatabaseError `INVALID_OPTIONS`
 */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new DatabaseError(
      'INVALID_OPTIONS',
      `schema "${schema}" is not allowed: use 1-63 characters of a-z, 0-9 and _, not starting with a digit`,
    );
  }
  if (schema.startsWith('pg_')) {
    throw new DatabaseError('INVALID_OPTIONS', `schema "${schema}" is not allowed: the pg_ prefix is reserved`);
  }
  return schema;
}
