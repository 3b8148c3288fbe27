import { sql, type ColumnType, type RawBuilder } from 'kysely';

/** A value that survives a JSON round trip unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (what `manifest`, `config`, `staging` and `secrets` hold). */
export type JsonObject = { [key: string]: JsonValue };

declare const jsonbBrand: unique symbol;

/**
 * The SQL-side value of a `jsonb` parameter, produced only by {@link jsonb}.
 *
 * Writing a plain JS value into a jsonb column is unsafe across drivers: `pg` turns JS arrays into
 * Postgres array literals, which jsonb rejects, while PGlite serialises them as JSON. Going
 * through `jsonb()` makes both backends receive the same JSON text.
 */
export interface Jsonb<T> {
  readonly [jsonbBrand]: T;
}

/**
 * Column type of a nullable jsonb column: reads give `T | null`, writes take `jsonb(value)` or
 * `null` (SQL NULL).
 */
export type JsonColumn<T> = ColumnType<T | null, Jsonb<T> | null | undefined, Jsonb<T> | null>;

/**
 * Wraps a value for a jsonb column or a jsonb comparison.
 *
 * @example
 * await db.insertInto('artifacts').values({ ..., versions: jsonb([{ version: 'v0' }]) }).execute();
 * @throws TypeError when the value has no JSON representation (undefined, a function, a symbol).
 */
export function jsonb<T>(value: T): RawBuilder<Jsonb<T>> {
  const text: unknown = JSON.stringify(value);
  if (typeof text !== 'string') {
    throw new TypeError(`jsonb(): value of type ${typeof value} has no JSON representation`);
  }
  return sql<Jsonb<T>>`cast(${text} as jsonb)`;
}
