/**
 * The `list`/`search` query language (server-api §4.5) as Kysely SQL fragments. Every value a
 * caller sends is a bound parameter; column names and directions come from fixed whitelists.
 */
import { sql, type RawBuilder } from 'kysely';
import { invalid } from './errors.js';

export type Condition = RawBuilder<unknown>;
type JsonColumn = 'manifest' | 'config';

const NUMERIC_COLUMNS = ['created_at', 'last_modified', 'download_count', 'view_count'] as const;
const EQUALITY_COLUMNS = ['type', 'alias', 'workspace', 'created_by'] as const;
const ORDER_COLUMNS = ['id', 'view_count', 'download_count', 'last_modified', 'created_at', 'alias', 'type', 'file_count'] as const;
const JSON_KEY_RE = /^[A-Za-z0-9_.-]+$/;

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A glob (`*` = anything) as an escaped LIKE pattern. */
function globToLike(value: string): string {
  return value.split('*').map(escapeLike).join('%');
}

function pathArgs(path: string[]): Condition {
  return sql.join(path.map((p) => sql`cast(${p} as text)`));
}

const jsonText = (column: JsonColumn, path: string[]) => sql`jsonb_extract_path_text(${sql.ref(column)}, ${pathArgs(path)})`;
const jsonValue = (column: JsonColumn, path: string[]) => sql`jsonb_extract_path(${sql.ref(column)}, ${pathArgs(path)})`;
const asJsonb = (value: unknown) => sql`cast(${JSON.stringify(value)} as jsonb)`;

export function keywordCondition(keyword: unknown): Condition {
  if (typeof keyword !== 'string') throw invalid('keywords must be a list of strings');
  return sql`cast(manifest as text) ilike ${`%${escapeLike(keyword)}%`} escape '\\'`;
}

export function combine(conditions: Condition[], mode: 'AND' | 'OR'): Condition {
  if (conditions.length === 0) return sql`true`;
  if (conditions.length === 1) return conditions[0]!;
  return sql`(${sql.join(conditions, mode === 'AND' ? sql` and ` : sql` or `)})`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarEquals(column: JsonColumn, path: string[], value: unknown): Condition {
  if (typeof value === 'string') {
    return value.includes('*')
      ? sql`${jsonText(column, path)} ilike ${globToLike(value)} escape '\\'`
      : sql`${jsonText(column, path)} = ${value}`;
  }
  if (value === null) return sql`${jsonValue(column, path)} = 'null'::jsonb`;
  if (typeof value === 'number' || typeof value === 'boolean') return sql`${jsonValue(column, path)} = ${asJsonb(value)}`;
  throw invalid(`Unsupported filter value at ${column}.${path.join('.')}: ${JSON.stringify(value)}`);
}

/** One item of `$in`: the field equals it, or the field is a list that holds it. */
function holds(column: JsonColumn, path: string[], item: unknown): Condition {
  return sql`(${scalarEquals(column, path, item)} or ${jsonValue(column, path)} @> ${asJsonb([item])})`;
}

function fieldCondition(column: JsonColumn, path: string[], value: unknown): Condition {
  for (const key of path) {
    if (!JSON_KEY_RE.test(key) && !/^[^\u0000-\u001f]{1,128}$/.test(key)) throw invalid(`Invalid filter key: ${JSON.stringify(key)}`);
  }
  if (Array.isArray(value)) return sql`${jsonValue(column, path)} @> ${asJsonb(value)}`;
  if (isPlainObject(value)) {
    const ops = Object.keys(value).filter((k) => k.startsWith('$'));
    if (ops.length === 0) return manifestConditions(value, column, path, 'AND');
    const parts: Condition[] = [];
    for (const op of ops) {
      const arg = value[op];
      if (op === '$like') {
        if (typeof arg !== 'string') throw invalid('$like needs a string pattern');
        parts.push(sql`${jsonText(column, path)} ilike ${arg.includes('*') ? globToLike(arg) : arg} escape '\\'`);
      } else if (op === '$in') {
        if (!Array.isArray(arg) || arg.length === 0) throw invalid('$in needs a non-empty list');
        parts.push(combine(arg.map((item) => holds(column, path, item)), 'OR'));
      } else if (op === '$all') {
        if (!Array.isArray(arg)) throw invalid('$all needs a list');
        parts.push(sql`${jsonValue(column, path)} @> ${asJsonb(arg)}`);
      } else {
        throw invalid(`Invalid filter operator ${JSON.stringify(op)} at ${column}.${path.join('.')} (known: $like, $in, $all)`);
      }
    }
    return combine(parts, 'AND');
  }
  return scalarEquals(column, path, value);
}

/** Conditions of a nested `manifest` filter; `$and`/`$or` combine lists of sub-filters. */
function manifestConditions(filter: Record<string, unknown>, column: JsonColumn, prefix: string[], mode: 'AND' | 'OR'): Condition {
  const parts: Condition[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || !value.every(isPlainObject)) throw invalid(`${key} needs a list of filters`);
      parts.push(combine(value.map((sub) => manifestConditions(sub, column, prefix, 'AND')), key === '$and' ? 'AND' : 'OR'));
    } else {
      parts.push(fieldCondition(column, [...prefix, key], value));
    }
  }
  return combine(parts, mode);
}

export interface FilterContext {
  /** Resolves a `parent_id` filter value to a row id (`null` for root artifacts). */
  parentUuid: string | null | undefined;
}

/** SQL conditions for a `filters` map (§4.5). Unknown keys are a `ValueError`. */
export function filterConditions(filters: unknown, ctx: FilterContext): Condition[] {
  if (filters === undefined || filters === null) return [];
  if (!isPlainObject(filters)) throw invalid('filters must be a map');
  const out: Condition[] = [];
  for (const [key, value] of Object.entries(filters)) {
    if ((EQUALITY_COLUMNS as readonly string[]).includes(key)) {
      if (typeof value !== 'string') throw invalid(`filters.${key} must be a string`);
      out.push(sql`${sql.ref(key)} = ${value}`);
    } else if ((NUMERIC_COLUMNS as readonly string[]).includes(key)) {
      out.push(rangeCondition(key, value));
    } else if (key === 'parent_id') {
      out.push(ctx.parentUuid === null || ctx.parentUuid === undefined ? sql`parent_id is null` : sql`parent_id = ${ctx.parentUuid}`);
    } else if (key === 'version') {
      if (value === 'stage') out.push(sql`staging is not null`);
      else if (value === 'latest' || value === 'committed') out.push(sql`jsonb_array_length(coalesce(versions, '[]'::jsonb)) > 0`);
      else throw invalid(`filters.version must be "stage", "latest" or "committed", got ${JSON.stringify(value)}`);
    } else if (key === 'manifest') {
      if (!isPlainObject(value)) throw invalid('filters.manifest must be a map');
      out.push(manifestConditions(value, 'manifest', [], 'AND'));
    } else if (key === 'config.permissions' || (key === 'config' && isPlainObject(value) && Object.keys(value).every((k) => k === 'permissions'))) {
      const perms = key === 'config' ? (value as Record<string, unknown>).permissions : value;
      if (!isPlainObject(perms)) throw invalid('filters["config.permissions"] must be a map of user to level');
      for (const [user, level] of Object.entries(perms)) {
        if (typeof level !== 'string') throw invalid('permission levels in filters must be strings');
        out.push(sql`${jsonText('config', ['permissions', user])} = ${level}`);
      }
    } else {
      throw invalid(`Invalid filter key: ${JSON.stringify(key)}`);
    }
  }
  return out;
}

function rangeCondition(column: string, value: unknown): Condition {
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`filters.${column} ${what} must be a number`);
    return v;
  };
  if (Array.isArray(value)) {
    if (value.length !== 2) throw invalid(`filters.${column} range must be [min, max]`);
    const parts: Condition[] = [];
    if (value[0] !== null) parts.push(sql`${sql.ref(column)} >= ${num(value[0], 'min')}`);
    if (value[1] !== null) parts.push(sql`${sql.ref(column)} <= ${num(value[1], 'max')}`);
    return combine(parts, 'AND');
  }
  return sql`${sql.ref(column)} >= ${num(value, 'value')}`;
}

/** Parsed `order_by`: `field`, `field<` (ascending) or `field>` (descending). */
export function orderByClauses(orderBy: unknown): Condition[] {
  if (orderBy === undefined || orderBy === null || orderBy === '') return [sql`id asc`];
  if (typeof orderBy !== 'string') throw invalid('order_by must be a string');
  let field = orderBy.trim();
  let direction = sql.raw('asc');
  if (field.endsWith('>')) {
    direction = sql.raw('desc');
    field = field.slice(0, -1);
  } else if (field.endsWith('<')) {
    field = field.slice(0, -1);
  }
  if ((ORDER_COLUMNS as readonly string[]).includes(field)) return [sql`${sql.ref(field)} ${direction}`, sql`id asc`];
  const dot = field.indexOf('.');
  const column = field.slice(0, dot);
  const key = field.slice(dot + 1);
  if (dot > 0 && (column === 'manifest' || column === 'config') && JSON_KEY_RE.test(key)) {
    const value = jsonText(column, key.split('.'));
    // Numeric-aware: numbers sort as numbers, the rest as text after them.
    return [
      sql`(case when ${value} ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' then cast(${value} as double precision) end) ${direction} nulls last`,
      sql`${value} ${direction} nulls last`,
      sql`id asc`,
    ];
  }
  throw invalid(
    `Invalid order_by ${JSON.stringify(orderBy)}: use one of ${ORDER_COLUMNS.join(', ')}, manifest.<key> or config.<key>, optionally followed by '<' or '>'`,
  );
}
