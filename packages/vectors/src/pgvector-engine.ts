/**
 * Vector collections on pgvector: one table per collection (`vec_<hash of its name>`, an HNSW
 * index for its distance metric) plus a registry table. The same SQL runs on PostgreSQL with the
 * `vector` extension and on PGlite with `@electric-sql/pglite-pgvector`. Creating a collection is
 * one transaction, so a database without the extension is left untouched.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import { ConflictError, InvalidArgumentError, NotFoundError, UnavailableError } from '@hypha/service';
import { compileFilters, manifestPath } from './filters.js';
import type { CollectionSpec, DistanceMetric, ListOptions, Page, SearchOptions, VectorEngine, VectorItem, VectorRecord } from './types.js';
import { checkId, checkPaging, checkSpec, vectorLiteral } from './vector-input.js';

const REGISTRY = 'hypha_vector_collections';

const METRIC: Record<DistanceMetric, { ops: string; op: string; score: (d: RawBuilder<unknown>) => RawBuilder<unknown> }> = {
  cosine: { ops: 'vector_cosine_ops', op: '<=>', score: (d) => sql`1 - ${d}` },
  l2: { ops: 'vector_l2_ops', op: '<->', score: (d) => sql`1 / (1 + ${d})` },
  // `<#>` is the negative inner product: the score is the inner product itself (higher is closer).
  inner_product: { ops: 'vector_ip_ops', op: '<#>', score: (d) => sql`-(${d})` },
};

interface Registered extends CollectionSpec {
  table: string;
}

export class PgVectorEngine implements VectorEngine {
  constructor(private readonly db: Kysely<any>) {}

  static tableName(collection: string): string {
    return `vec_${createHash('sha256').update(collection).digest('hex').slice(0, 40)}`;
  }

  async createCollection(name: string, spec: CollectionSpec, options: { overwrite?: boolean } = {}): Promise<void> {
    const { dimension, distanceMetric } = checkSpec(spec);
    const table = PgVectorEngine.tableName(name);
    await this.db.transaction().execute(async (trx) => {
      try {
        await sql`CREATE EXTENSION IF NOT EXISTS vector`.execute(trx);
      } catch (err) {
        throw new UnavailableError(
          `Vector collections need the PostgreSQL extension "vector" (pgvector), which this database does not have ` +
            `(CREATE EXTENSION vector failed: ${(err as Error).message}). Install pgvector on the database server.`,
          { cause: err },
        );
      }
      await sql`CREATE TABLE IF NOT EXISTS ${sql.table(REGISTRY)} (name text PRIMARY KEY, table_name text NOT NULL, dimension integer NOT NULL, distance_metric text NOT NULL)`.execute(trx);
      const existing = await sql`SELECT 1 FROM ${sql.table(REGISTRY)} WHERE name = ${name}::text`.execute(trx);
      if (existing.rows.length > 0) {
        if (!options.overwrite) throw new ConflictError(`Vector collection ${name} already exists`);
        await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(trx);
        await sql`DELETE FROM ${sql.table(REGISTRY)} WHERE name = ${name}::text`.execute(trx);
      }
      // The dimension is a checked integer: a type modifier cannot be a bound parameter.
      await sql`CREATE TABLE ${sql.table(table)} (id text PRIMARY KEY, vector vector(${sql.raw(String(dimension))}) NOT NULL, manifest jsonb NOT NULL DEFAULT '{}'::jsonb)`.execute(trx);
      await sql`CREATE INDEX ${sql.id(`${table}_hnsw`)} ON ${sql.table(table)} USING hnsw (vector ${sql.raw(METRIC[distanceMetric].ops)})`.execute(trx);
      await sql`INSERT INTO ${sql.table(REGISTRY)} (name, table_name, dimension, distance_metric) VALUES (${name}::text, ${table}::text, ${dimension}::int, ${distanceMetric}::text)`.execute(trx);
    });
  }

  async deleteCollection(name: string): Promise<void> {
    if (!(await this.registryExists())) return;
    await this.db.transaction().execute(async (trx) => {
      await sql`DROP TABLE IF EXISTS ${sql.table(PgVectorEngine.tableName(name))}`.execute(trx);
      await sql`DELETE FROM ${sql.table(REGISTRY)} WHERE name = ${name}::text`.execute(trx);
    });
  }

  async collectionSpec(name: string): Promise<CollectionSpec | null> {
    const r = await this.lookup(name);
    return r && { dimension: r.dimension, distanceMetric: r.distanceMetric };
  }

  async addVectors(name: string, items: VectorItem[], options: { update?: boolean } = {}): Promise<string[]> {
    const c = await this.require(name);
    if (!Array.isArray(items)) throw new InvalidArgumentError('vectors must be a list of {id, vector, manifest}');
    const rows = items.map((item, i) => {
      if (typeof item !== 'object' || item === null) throw new InvalidArgumentError(`vectors[${i}] must be a dictionary {id, vector, manifest}`);
      const id = checkId(item.id, `vectors[${i}].id`);
      const manifest = item.manifest ?? {};
      if (typeof manifest !== 'object' || Array.isArray(manifest)) throw new InvalidArgumentError(`The manifest of vector ${id} must be a dictionary`);
      return { id, vector: vectorLiteral(item.vector, c.dimension, `Vector ${id}`), manifest: JSON.stringify(manifest) };
    });
    const conflict = options.update
      ? sql`ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector, manifest = EXCLUDED.manifest`
      : sql`ON CONFLICT (id) DO NOTHING`;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 500) {
        const values = rows.slice(i, i + 500).map((r) => sql`(${r.id}::text, ${r.vector}::vector, ${r.manifest}::jsonb)`);
        await sql`INSERT INTO ${sql.table(c.table)} (id, vector, manifest) VALUES ${sql.join(values)} ${conflict}`.execute(trx);
      }
    });
    return rows.map((r) => r.id);
  }

  async searchVectors(name: string, o: SearchOptions): Promise<VectorRecord[] | Page> {
    const c = await this.require(name);
    const { offset, limit } = checkPaging(o.offset, o.limit ?? 5);
    const where = compileFilters(o.filters);
    const distance = o.vector != null ? sql`(vector ${sql.raw(METRIC[c.distanceMetric].op)} ${vectorLiteral(o.vector, c.dimension, 'The query vector')}::vector)` : null;
    const withVectors = o.returnFields?.includes('vector') ?? false;
    const columns = [sql`id`, sql`manifest`];
    if (withVectors) columns.push(sql`vector::text AS vector`);
    if (distance) columns.push(sql`${METRIC[c.distanceMetric].score(distance)} AS _score`);
    const order = orderClause(o.orderBy, distance);
    return this.db.transaction().execute(async (trx) => {
      // Enough candidates from the HNSW graph for the page asked for.
      if (distance) await sql`SELECT set_config('hnsw.ef_search', ${String(efSearchOf(o.efSearch, offset + limit))}::text, true)`.execute(trx);
      // An exact scan: every row is compared, no index (brute force).
      if (o.exact) await sql`SELECT set_config('enable_indexscan', 'off', true)`.execute(trx);
      const found = await sql<Row>`SELECT ${sql.join(columns)} FROM ${sql.table(c.table)} WHERE ${where} ORDER BY ${order} LIMIT ${limit}::int OFFSET ${offset}::int`.execute(trx);
      const items = found.rows.map((r) => toRecord(r, o.returnFields));
      if (!o.pagination) return items;
      const total = await sql<{ n: number | string }>`SELECT count(*)::int AS n FROM ${sql.table(c.table)} WHERE ${where}`.execute(trx);
      return { items, total: Number(total.rows[0]!.n), offset, limit };
    });
  }

  listVectors(name: string, o: ListOptions): Promise<VectorRecord[] | Page> {
    return this.searchVectors(name, { ...o, limit: o.limit ?? 10, vector: null, filters: null });
  }

  async getVector(name: string, id: string): Promise<VectorRecord> {
    const c = await this.require(name);
    const r = await sql<Row>`SELECT id, manifest, vector::text AS vector FROM ${sql.table(c.table)} WHERE id = ${checkId(id)}::text`.execute(this.db);
    if (r.rows.length === 0) throw new NotFoundError(`Vector ${id} not found in collection ${name}`);
    return toRecord(r.rows[0]!, null);
  }

  async removeVectors(name: string, ids: string[]): Promise<number> {
    const c = await this.require(name);
    if (!Array.isArray(ids)) throw new InvalidArgumentError('ids must be a list of vector ids');
    if (ids.length === 0) return 0;
    const list = ids.map((id) => sql`${checkId(id)}::text`);
    const r = await sql`DELETE FROM ${sql.table(c.table)} WHERE id IN (${sql.join(list)})`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  async count(name: string): Promise<number> {
    const c = await this.require(name);
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(c.table)}`.execute(this.db);
    return Number(r.rows[0]!.n);
  }

  private async registryExists(): Promise<boolean> {
    const r = await sql<{ t: string | null }>`SELECT to_regclass(${REGISTRY}::text)::text AS t`.execute(this.db);
    return r.rows[0]?.t != null;
  }

  private async lookup(name: string): Promise<Registered | null> {
    if (!(await this.registryExists())) return null;
    const r = await sql<{ table_name: string; dimension: number; distance_metric: DistanceMetric }>`SELECT table_name, dimension, distance_metric FROM ${sql.table(REGISTRY)} WHERE name = ${name}::text`.execute(this.db);
    const row = r.rows[0];
    return row ? { table: row.table_name, dimension: row.dimension, distanceMetric: row.distance_metric } : null;
  }

  private async require(name: string): Promise<Registered> {
    const r = await this.lookup(name);
    if (!r) throw new NotFoundError(`Vector collection ${name} not found`);
    return r;
  }
}

/** The HNSW candidate list: at least pgvector's 40 and the rows asked for, at most 1000. */
function efSearchOf(asked: number | null | undefined, rows: number): number {
  if (asked != null && (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 1 || asked > 1000)) {
    throw new InvalidArgumentError(`ef_search must be an integer from 1 to 1000, got ${JSON.stringify(asked)}`);
  }
  return Math.min(1000, Math.max(40, rows, asked ?? 0));
}

interface Row {
  id: string;
  manifest: Record<string, unknown> | string;
  vector?: string;
  _score?: number;
}

function toRecord(r: Row, returnFields: string[] | null | undefined): VectorRecord {
  const manifest = typeof r.manifest === 'string' ? (JSON.parse(r.manifest) as Record<string, unknown>) : r.manifest;
  const out: VectorRecord = { id: r.id };
  if (r.vector !== undefined) out.vector = JSON.parse(r.vector) as number[];
  for (const [k, v] of Object.entries(manifest ?? {})) {
    if (k === 'id' || k === 'vector' || k === '_score') continue;
    if (!returnFields || returnFields.includes(k)) out[k] = v;
  }
  if (r._score !== undefined) out._score = Number(r._score);
  return out;
}

const ORDER = /^(-)?\s*([^\s]+?)(?:\s+(asc|desc))?$/i;

/** `field`, `-field` or `field asc|desc` on `id`, `_score` or a manifest field; nearest first by default. */
function orderClause(orderBy: string | null | undefined, distance: RawBuilder<unknown> | null): RawBuilder<unknown> {
  if (orderBy == null || orderBy === '') return distance ? sql`${distance} ASC, id` : sql`id`;
  const m = typeof orderBy === 'string' ? ORDER.exec(orderBy.trim()) : null;
  if (!m) throw new InvalidArgumentError(`order_by must be 'field', '-field' or 'field asc|desc', got ${JSON.stringify(orderBy)}`);
  const desc = m[1] === '-' || m[3]?.toLowerCase() === 'desc';
  const field = m[2]!;
  let key: RawBuilder<unknown>;
  if (field === 'id') key = sql`id`;
  else if (field === '_score') {
    if (!distance) throw new InvalidArgumentError('order_by _score needs a query vector');
    // A higher score is a smaller distance.
    return desc ? sql`${distance} ASC, id` : sql`${distance} DESC, id`;
  } else key = manifestPath([field]).json;
  return desc ? sql`${key} DESC NULLS LAST, id` : sql`${key} ASC NULLS LAST, id`;
}
