/**
 * `search_services` on a vector collection (`--enable-service-search`), in place of the reference's
 * RediSearch index: each registered service is one entry keyed by its registry key, embedded from
 * `name`, `description` and `docs` (or given as `config.service_embedding`). Services without
 * either are entered too, with no usable vector, so filter-only searches list them; a query
 * searches the embedded ones. Entries leave with their registrations (registry observer).
 */
import { InvalidArgumentError } from '@hypha/service';
import { decodeVector, vectorLiteral } from '@hypha/vectors';
import type { Embedder, Page, VectorEngine, VectorRecord } from '@hypha/vectors';
import type { ServiceInfo, ServiceSearch, ServiceSearchParams } from '@hypha/workspace';

export const SERVICES_COLLECTION = 'hypha-services';

/** Who may see an entry: `*` for public services, else `<ws>` or `<ws>#unlisted`. */
const AUDIENCE = '_audience';
const EMBEDDED = '_embedded';
const TEXT_FIELDS = new Set(['name', 'description', 'docs']);
const RESULT_FIELDS = ['config', 'id', 'name', 'type', 'description', 'docs', 'app_id', 'service_schema'];

export interface ServiceIndexOptions {
  engine: VectorEngine;
  embedder: Embedder;
  /** The embedder's output size (the collection's dimension). */
  dimension: number;
}

function audienceOf(info: ServiceInfo, workspace: string): string {
  const visibility = info.config.visibility ?? 'protected';
  if (visibility === 'public') return '*';
  return visibility === 'unlisted' ? `${workspace}#unlisted` : workspace;
}

/**
 * A value of the reference's filter syntax for text fields (`"calculations*"`, `"*NLP*"`) as a
 * case-insensitive pattern; other fields and operators go to the engine's filter language as given.
 */
function translateFilters(filters: Record<string, unknown> | null): Record<string, unknown> {
  if (filters === null || filters === undefined) return {};
  if (typeof filters !== 'object' || Array.isArray(filters)) {
    throw new InvalidArgumentError(`filters must be a dictionary of field conditions, got ${JSON.stringify(filters)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(filters)) {
    if (field === AUDIENCE || field === EMBEDDED) throw new InvalidArgumentError(`Unknown filter field '${field}'`);
    if (typeof value === 'string' && value.includes('*')) {
      const like = value.replace(/[%_\\]/g, (c) => `\\${c}`).replace(/\*/g, '%');
      out[field] = { $like: TEXT_FIELDS.has(field) ? `%${like}%` : like };
    } else {
      out[field] = value;
    }
  }
  return out;
}

/** `score` is the reference's: the cosine distance, smaller is closer. */
function orderOf(orderBy: string | null): string | null {
  if (orderBy === null || orderBy === undefined) return null;
  if (typeof orderBy !== 'string') throw new InvalidArgumentError(`order_by must be a field name, got ${JSON.stringify(orderBy)}`);
  const m = /^(-)?\s*score(?:\s+(asc|desc))?$/i.exec(orderBy.trim());
  if (!m) return orderBy;
  const desc = m[1] === '-' || m[2]?.toLowerCase() === 'desc';
  return desc ? '_score asc' : '_score desc';
}

function toResult(r: VectorRecord, fields: string[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of RESULT_FIELDS) {
    if (f === 'id') out.id = r.service_id;
    else if (!fields || fields.includes(f)) out[f] = r[f] ?? null;
  }
  if (fields) for (const f of fields) if (!(f in out) && f in r && !f.startsWith('_') && f !== 'service_id') out[f] = r[f];
  if (typeof r._score === 'number') out.score = 1 - r._score;
  return out;
}

export class ServiceIndex implements ServiceSearch {
  constructor(private readonly o: ServiceIndexOptions) {}

  /** Creates the collection (replacing it with `fresh`, as one embedded instance does at start). */
  async open(fresh: boolean): Promise<void> {
    const spec = await this.o.engine.collectionSpec(SERVICES_COLLECTION);
    if (!fresh && spec && spec.dimension === this.o.dimension && spec.distanceMetric === 'cosine') return;
    await this.o.engine.createCollection(SERVICES_COLLECTION, { dimension: this.o.dimension, distanceMetric: 'cosine' }, { overwrite: true });
  }

  async prepare(key: string, info: ServiceInfo): Promise<() => Promise<void>> {
    const { service_embedding: given, ...config } = info.config;
    let vector: number[] | null = null;
    if (given !== undefined && given !== null) {
      const decoded = decodeVector(given, 'config.service_embedding');
      vectorLiteral(decoded, this.o.dimension, 'config.service_embedding');
      vector = Array.from(decoded as ArrayLike<number>);
    } else if (info.docs) {
      [vector] = (await this.o.embedder.embed([`${info.name ?? ''}\n${info.description ?? ''}\n${info.docs}`])) as [number[]];
    }
    const workspace = info.id.slice(0, info.id.indexOf('/'));
    const manifest = {
      service_id: info.id,
      name: info.name,
      type: info.type,
      description: info.description,
      docs: info.docs,
      app_id: info.app_id,
      service_schema: info.service_schema,
      config,
      workspace,
      visibility: info.config.visibility ?? 'protected',
      [AUDIENCE]: audienceOf(info, workspace),
      [EMBEDDED]: vector !== null,
    };
    // A vector that no query reaches (searches with a query keep `_embedded` entries only).
    const stored = vector ?? [1, ...new Array<number>(this.o.dimension - 1).fill(0)];
    return async () => {
      await this.o.engine.addVectors(SERVICES_COLLECTION, [{ id: key, vector: stored, manifest }], { update: true });
    };
  }

  /** Drops the entries of removed registrations. */
  async remove(keys: string[]): Promise<void> {
    await this.o.engine.removeVectors(SERVICES_COLLECTION, keys);
  }

  async search(workspace: string, p: ServiceSearchParams): Promise<unknown> {
    let vector: number[] | null = null;
    if (typeof p.query === 'string') {
      [vector] = (await this.o.embedder.embed([p.query])) as [number[]];
    } else if (p.query !== null && p.query !== undefined) {
      const decoded = decodeVector(p.query, 'The query vector');
      vectorLiteral(decoded, this.o.dimension, 'The query vector');
      vector = Array.from(decoded as ArrayLike<number>);
    }
    const audience = ['*', workspace, ...(p.include_unlisted ? [`${workspace}#unlisted`] : [])];
    const filters: Record<string, unknown> = { ...translateFilters(p.filters), [AUDIENCE]: { $in: audience } };
    if (vector) filters[EMBEDDED] = true;
    const returnFields = p.return_fields ? [...p.return_fields, 'service_id'] : null;
    const found = await this.o.engine.searchVectors(SERVICES_COLLECTION, {
      vector,
      filters,
      limit: p.limit ?? 5,
      offset: p.offset ?? 0,
      orderBy: orderOf(p.order_by),
      returnFields,
      pagination: true,
      // Few services, filtered by audience: an exact scan finds every match the filters leave.
      exact: true,
    });
    const page = found as Page;
    const items = page.items.map((r) => toResult(r, p.return_fields));
    return p.pagination ? { items, total: page.total, offset: page.offset, limit: page.limit } : items;
  }
}
