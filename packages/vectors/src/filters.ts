/**
 * The filter language of vector searches (the reference's, on manifest fields), compiled to SQL in
 * which every field name and value is a bound parameter:
 *
 * - `{f: v}` equality (a string containing `%` is an ILIKE pattern; `null` matches a missing or null field)
 * - `{f: [min, max]}` numeric range, both ends included
 * - `{f: {$gt|$gte|$lt|$lte: n}}`, `{$ne: v}`, `{$in: [..]}`, `{$like: pattern}` (ILIKE), `{$regex: re}`,
 *   `{$all: [..]}` (the field is a list holding all of them)
 * - `{f: {k: v}}` equality on the nested field `f.k`
 */
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import { InvalidArgumentError } from '@hypha/service';

export const FILTER_OPERATORS = ['$gt', '$gte', '$lt', '$lte', '$ne', '$in', '$like', '$regex', '$all'] as const;

/** A number as JSON stores it, or a string that is one (the reference casts text to float). */
const NUMERIC_TEXT = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';

interface FieldPath {
  json: RawBuilder<unknown>;
  text: RawBuilder<unknown>;
  label: string;
}

/** The JSON and text forms of `manifest -> k1 -> k2 ...`, keys bound as parameters. */
export function manifestPath(keys: string[]): FieldPath {
  let json: RawBuilder<unknown> = sql`manifest`;
  for (const key of keys.slice(0, -1)) json = sql`${json} -> ${key}::text`;
  const last = keys[keys.length - 1]!;
  return { json: sql`(${json} -> ${last}::text)`, text: sql`(${json} ->> ${last}::text)`, label: keys.join('.') };
}

/** The field as a float, or NULL when it is not numeric (never a cast error). */
export function numericOf(p: FieldPath): RawBuilder<unknown> {
  return sql`(CASE WHEN jsonb_typeof(${p.json}) = 'number' OR (jsonb_typeof(${p.json}) = 'string' AND ${p.text} ~ ${NUMERIC_TEXT}::text) THEN (${p.text})::float8 END)`;
}

function asNumber(p: FieldPath, op: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidArgumentError(`Filter ${op} on field '${p.label}' needs a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function equals(p: FieldPath, v: unknown): RawBuilder<unknown> {
  if (v === null) return sql`(${p.json} IS NULL OR jsonb_typeof(${p.json}) = 'null')`;
  if (typeof v === 'string' && v.includes('%')) return sql`${p.text} ILIKE ${v}::text`;
  if (typeof v === 'object') throw new InvalidArgumentError(`Filter on field '${p.label}': cannot compare with ${JSON.stringify(v)}`);
  return sql`${p.text} = ${asText(v)}::text`;
}

function operator(p: FieldPath, op: string, v: unknown): RawBuilder<unknown> {
  switch (op) {
    case '$gt':
      return sql`${numericOf(p)} > ${asNumber(p, op, v)}::float8`;
    case '$gte':
      return sql`${numericOf(p)} >= ${asNumber(p, op, v)}::float8`;
    case '$lt':
      return sql`${numericOf(p)} < ${asNumber(p, op, v)}::float8`;
    case '$lte':
      return sql`${numericOf(p)} <= ${asNumber(p, op, v)}::float8`;
    case '$ne':
      return v === null ? sql`NOT ${equals(p, null)}` : sql`${p.text} IS DISTINCT FROM ${asText(v)}::text`;
    case '$in': {
      if (!Array.isArray(v)) throw new InvalidArgumentError(`Filter $in on field '${p.label}' needs a list, got ${JSON.stringify(v)}`);
      if (v.length === 0) return sql`FALSE`;
      return sql`${p.text} IN (${sql.join(v.map((x) => sql`${asText(x)}::text`))})`;
    }
    case '$like':
      if (typeof v !== 'string') throw new InvalidArgumentError(`Filter $like on field '${p.label}' needs a string pattern`);
      return sql`${p.text} ILIKE ${v}::text`;
    case '$regex':
      if (typeof v !== 'string') throw new InvalidArgumentError(`Filter $regex on field '${p.label}' needs a string`);
      return sql`${p.text} ~ ${v}::text`;
    case '$all':
      if (!Array.isArray(v)) throw new InvalidArgumentError(`Filter $all on field '${p.label}' needs a list, got ${JSON.stringify(v)}`);
      return sql`(jsonb_typeof(${p.json}) = 'array' AND ${p.json} @> ${JSON.stringify(v)}::jsonb)`;
    default:
      throw new InvalidArgumentError(`Unknown filter operator '${op}' on field '${p.label}' (supported: ${FILTER_OPERATORS.join(' ')})`);
  }
}

function fieldCondition(field: string, value: unknown): RawBuilder<unknown>[] {
  if (field === '') throw new InvalidArgumentError('Filter field names must not be empty');
  const p = manifestPath([field]);
  if (Array.isArray(value)) {
    if (value.length !== 2) {
      throw new InvalidArgumentError(`Range filter on field '${field}' needs [min, max], got a list of ${value.length}`);
    }
    return [sql`${numericOf(p)} BETWEEN ${asNumber(p, 'range', value[0])}::float8 AND ${asNumber(p, 'range', value[1])}::float8`];
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) throw new InvalidArgumentError(`Filter on field '${field}' is an empty object`);
    return entries.map(([k, v]) => (k.startsWith('$') ? operator(p, k, v) : equals(manifestPath([field, k]), v)));
  }
  return [equals(p, value)];
}

/** The WHERE conditions of `filters` (TRUE for none), joined with AND. */
export function compileFilters(filters: unknown): RawBuilder<unknown> {
  if (filters === null || filters === undefined) return sql`TRUE`;
  if (typeof filters !== 'object' || Array.isArray(filters)) {
    throw new InvalidArgumentError(`filters must be a dictionary of field conditions, got ${JSON.stringify(filters)}`);
  }
  const parts = Object.entries(filters as Record<string, unknown>).flatMap(([f, v]) => fieldCondition(f, v));
  return parts.length === 0 ? sql`TRUE` : sql.join(parts, sql` AND `);
}
