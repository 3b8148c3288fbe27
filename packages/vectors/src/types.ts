/**
 * The vector engine contract: named collections of `{id, vector, manifest}` items with similarity
 * search, filters on manifest fields and pagination. Results put the manifest fields next to `id`
 * (and `_score` for a similarity search), as the reference server returns them.
 */

export const DISTANCE_METRICS = ['cosine', 'l2', 'inner_product'] as const;
export type DistanceMetric = (typeof DISTANCE_METRICS)[number];

export interface CollectionSpec {
  dimension: number;
  distanceMetric: DistanceMetric;
}

export interface VectorItem {
  id: string;
  vector: number[];
  manifest?: Record<string, unknown>;
}

/** `id`, the manifest fields, and `vector` / `_score` when asked for or searched. */
export type VectorRecord = { id: string } & Record<string, unknown>;

export interface Page {
  items: VectorRecord[];
  total: number;
  offset: number;
  limit: number;
}

export interface ListOptions {
  offset?: number;
  limit?: number;
  /** Keep only these fields (plus `id` and `_score`); `vector` in it returns the vectors. */
  returnFields?: string[] | null;
  /** `field`, `-field`, `field asc|desc`; `id`, `_score` or a manifest field. */
  orderBy?: string | null;
  pagination?: boolean;
}

export interface SearchOptions extends ListOptions {
  /** Nearest first; omitted: a filter-only listing. */
  vector?: number[] | null;
  /** The filter language of `compileFilters`. */
  filters?: Record<string, unknown> | null;
  /**
   * Compare the query with every row instead of walking the HNSW index: exact nearest neighbours
   * (the index is approximate, and with selective filters it may return fewer rows than asked).
   */
  exact?: boolean;
  /** HNSW candidates to examine (`hnsw.ef_search`, 1..1000): more is slower and finds more true neighbours. @default max(40, offset + limit) */
  efSearch?: number | null;
}

export interface VectorEngine {
  /** Creates a collection; with `overwrite` an existing one is replaced, otherwise it is a conflict. */
  createCollection(name: string, spec: CollectionSpec, options?: { overwrite?: boolean }): Promise<void>;
  /** Removes a collection and its vectors (no error when it does not exist). */
  deleteCollection(name: string): Promise<void>;
  collectionSpec(name: string): Promise<CollectionSpec | null>;
  /** Inserts items; an existing id is replaced with `update`, otherwise kept as it was. @returns the ids. */
  addVectors(name: string, items: VectorItem[], options?: { update?: boolean }): Promise<string[]>;
  searchVectors(name: string, options: SearchOptions): Promise<VectorRecord[] | Page>;
  listVectors(name: string, options: ListOptions): Promise<VectorRecord[] | Page>;
  /** @throws NotFoundError when there is no such vector. */
  getVector(name: string, id: string): Promise<VectorRecord>;
  removeVectors(name: string, ids: string[]): Promise<number>;
  count(name: string): Promise<number>;
}
