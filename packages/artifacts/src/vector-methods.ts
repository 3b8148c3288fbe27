/**
 * Artifacts of type `vector-collection` (server-api-2 §E): the collection's config (`dimension`,
 * `distance_metric`, `embedding_model`, `collection_schema`; `manifest.vector_config` moves into
 * config) and the vector methods with the reference's keyword names and result shapes. Vectors
 * live in a pgvector collection named after the artifact id, in the artifact manager's own
 * database (PGlite with pgvector on embedded defaults, PostgreSQL with `vector` otherwise).
 */
import { PgVectorEngine, checkSpec, decodeVector, resolveEmbedder } from '@hypha/vectors';
import type { CollectionSpec, Embedder, VectorEngine, VectorItem } from '@hypha/vectors';
import type { JsonObject } from '@hypha/db';
import { optionalBool, requireContext } from './access.js';
import type { ArtifactAccess } from './access.js';
import { invalid } from './errors.js';
import type { Operation } from './permissions.js';
import type { ArtifactRow } from './record.js';
import { versionsOf } from './record.js';
import { validateManifest } from './schema-validation.js';

export const VECTOR_COLLECTION = 'vector-collection';

/** Normalises a new vector collection's config in place; @returns its engine spec. */
export function prepareVectorConfig(cfg: JsonObject, manifest: JsonObject): CollectionSpec {
  if ('vector_fields' in cfg) {
    throw invalid('legacy `vector_fields` is not supported, please update the new api which uses `dimension` and `distance_metric` instead.');
  }
  const moved = manifest.vector_config;
  if (moved && typeof moved === 'object' && !Array.isArray(moved)) {
    const vc = moved as JsonObject;
    cfg.dimension = vc.dimension ?? 384;
    cfg.distance_metric = vc.distance_metric ?? 'cosine';
    if (vc.embedding_model !== undefined) cfg.embedding_model = vc.embedding_model;
    if (vc.engine !== undefined) cfg.vector_engine = vc.engine;
    delete manifest.vector_config;
  }
  if (cfg.vector_engine !== undefined && cfg.vector_engine !== null && cfg.vector_engine !== 'pgvector') {
    throw invalid(`Unsupported vector engine type: ${JSON.stringify(cfg.vector_engine)} (this server has pgvector)`);
  }
  try {
    const spec = checkSpec({ dimension: cfg.dimension ?? 384, distanceMetric: cfg.distance_metric ?? 'cosine' });
    cfg.dimension = spec.dimension;
    cfg.distance_metric = spec.distanceMetric;
    return spec;
  } catch (err) {
    throw invalid((err as Error).message, err);
  }
}

export interface VectorCollectionsOptions {
  /** Directory of local ONNX embedding models (`HYPHA_EMBEDDING_MODEL_DIR`). */
  modelDir?: string | null;
}

export class VectorCollections {
  private engineOf: Promise<VectorEngine> | null = null;
  private readonly embedders = new Map<string, Promise<Embedder>>();

  constructor(
    private readonly access: ArtifactAccess,
    private readonly options: VectorCollectionsOptions = {},
  ) {}

  engine(): Promise<VectorEngine> {
    this.engineOf ??= this.access.ready().then(({ db }) => new PgVectorEngine(db));
    return this.engineOf;
  }

  /** Creates (or replaces) the collection of a vector-collection artifact. */
  async create(row: ArtifactRow, spec: CollectionSpec): Promise<void> {
    await (await this.engine()).createCollection(row.id, spec, { overwrite: true });
  }

  async count(row: ArtifactRow): Promise<number> {
    const engine = await this.engine();
    return (await engine.collectionSpec(row.id)) ? engine.count(row.id) : 0;
  }

  async drop(ids: string[]): Promise<void> {
    const engine = await this.engine();
    for (const id of ids) await engine.deleteCollection(id);
  }

  private async load(artifactId: unknown, context: unknown, op: Operation) {
    const ctx = requireContext(context);
    const { db } = await this.access.ready();
    const { row } = await this.access.loadFor(db, artifactId, ctx, op);
    if (row.type !== VECTOR_COLLECTION) throw invalid(`Artifact must be a vector collection (${row.workspace}/${row.alias} is of type ${row.type}).`);
    if (op === 'add_vectors' || op === 'remove_vectors') await this.access.assertWritable(ctx, row.workspace);
    return { row, engine: await this.engine() };
  }

  private embedder(row: ArtifactRow): Promise<Embedder> {
    const model = row.config?.embedding_model;
    if (model === undefined || model === null) throw invalid('Text vector provided but no embedding model configured for collection');
    const key = `${String(model)}#${String(row.config?.dimension)}`;
    let e = this.embedders.get(key);
    if (!e) {
      e = resolveEmbedder(model, { modelDir: this.options.modelDir, dimension: Number(row.config?.dimension ?? 384) });
      this.embedders.set(key, e);
      e.catch(() => this.embedders.delete(key));
    }
    return e;
  }

  async add_vectors(artifact_id: unknown, vectors: unknown, update: unknown, context: unknown): Promise<string[]> {
    const { row, engine } = await this.load(artifact_id, context, 'add_vectors');
    if (versionsOf(row).length === 0) throw invalid('Artifact must be committed before upserting.');
    if (!Array.isArray(vectors)) throw invalid('vectors must be a list of {id, vector, manifest}');
    const items: VectorItem[] = vectors.map((v: unknown, i) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`vectors[${i}] must be a dictionary {id, vector, manifest}`);
      const item = v as Record<string, unknown>;
      if (!('id' in item)) throw invalid("Each vector must have an 'id' field");
      if (!('vector' in item)) throw invalid("Each vector must have a 'vector' field");
      const manifest = (item.manifest ?? {}) as Record<string, unknown>;
      if (row.config?.collection_schema && Object.keys(manifest).length > 0) validateManifest(row.config.collection_schema, manifest, `vector ${String(item.id)}`);
      const vector = typeof item.vector === 'string' ? item.vector : decodeVector(item.vector, `The vector of ${String(item.id)}`);
      return { id: item.id as string, vector: vector as number[], manifest };
    });
    const texts = items.filter((it) => typeof it.vector === 'string');
    if (texts.length > 0) {
      const embedded = await (await this.embedder(row)).embed(texts.map((it) => it.vector as unknown as string));
      texts.forEach((it, i) => (it.vector = embedded[i]!));
    }
    return engine.addVectors(row.id, items, { update: optionalBool(update, 'update') });
  }

  async search_vectors(
    artifact_id: unknown, query: unknown, filters: unknown, limit: unknown, offset: unknown, return_fields: unknown,
    order_by: unknown, pagination: unknown, context: unknown,
  ) {
    const { row, engine } = await this.load(artifact_id, context, 'search_vectors');
    let vector = queryVector(query);
    if (typeof vector === 'string') vector = (await (await this.embedder(row)).embed([vector]))[0]!;
    return engine.searchVectors(row.id, {
      vector: vector as number[] | null,
      filters: filters as Record<string, unknown> | null,
      limit: (limit ?? 5) as number,
      offset: (offset ?? 0) as number,
      returnFields: fieldList(return_fields),
      orderBy: order_by as string | null,
      pagination: optionalBool(pagination, 'pagination'),
    });
  }

  async remove_vectors(artifact_id: unknown, ids: unknown, context: unknown): Promise<void> {
    const { row, engine } = await this.load(artifact_id, context, 'remove_vectors');
    if (!Array.isArray(ids)) throw invalid('ids must be a list of vector ids');
    await engine.removeVectors(row.id, ids as string[]);
  }

  async get_vector(artifact_id: unknown, id: unknown, context: unknown) {
    const { row, engine } = await this.load(artifact_id, context, 'get_vector');
    return engine.getVector(row.id, id as string);
  }

  async list_vectors(artifact_id: unknown, offset: unknown, limit: unknown, return_fields: unknown, order_by: unknown, pagination: unknown, context: unknown) {
    const { row, engine } = await this.load(artifact_id, context, 'list_vectors');
    return engine.listVectors(row.id, {
      offset: (offset ?? 0) as number,
      limit: (limit ?? 10) as number,
      returnFields: fieldList(return_fields),
      orderBy: order_by as string | null,
      pagination: optionalBool(pagination, 'pagination'),
    });
  }
}

/** The reference's reading of `query`: `{vector: ...}`, else its first list of numbers, or a list; text is embedded. */
function queryVector(query: unknown): unknown {
  if (query === undefined || query === null) return null;
  if (typeof query === 'string' || Array.isArray(query) || ArrayBuffer.isView(query)) return decodeVector(query, 'The query vector');
  if ((query as { _rtype?: unknown })._rtype === 'ndarray') return decodeVector(query, 'The query vector');
  if (typeof query !== 'object') throw invalid(`query must be {"vector": [...] or "text"}, got ${JSON.stringify(query)}`);
  const q = query as Record<string, unknown>;
  if ('vector' in q) return typeof q.vector === 'string' ? q.vector : decodeVector(q.vector ?? null, 'The query vector');
  for (const v of Object.values(q)) if (Array.isArray(v) && typeof v[0] === 'number') return v;
  if (typeof q.text === 'string') return q.text;
  return null;
}

function fieldList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.some((f) => typeof f !== 'string')) throw invalid('return_fields must be a list of field names');
  return value as string[];
}

/** The RPC functions of the vector methods (positional parameters, the context last). */
export function vectorServiceMethods(v: VectorCollections): Record<string, unknown> {
  return {
    add_vectors: (artifact_id: any, vectors: any, update: any, context: any) => v.add_vectors(artifact_id, vectors, update, context),
    search_vectors: (artifact_id: any, query: any, filters: any, limit: any, offset: any, return_fields: any, order_by: any, pagination: any, context: any) =>
      v.search_vectors(artifact_id, query, filters, limit, offset, return_fields, order_by, pagination, context),
    remove_vectors: (artifact_id: any, ids: any, context: any) => v.remove_vectors(artifact_id, ids, context),
    get_vector: (artifact_id: any, id: any, context: any) => v.get_vector(artifact_id, id, context),
    list_vectors: (artifact_id: any, offset: any, limit: any, return_fields: any, order_by: any, pagination: any, context: any) =>
      v.list_vectors(artifact_id, offset, limit, return_fields, order_by, pagination, context),
  };
}
