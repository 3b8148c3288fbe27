export { PgVectorEngine } from './pgvector-engine.js';
export { compileFilters, FILTER_OPERATORS } from './filters.js';
export { checkSpec, vectorLiteral, MAX_DIMENSION } from './vector-input.js';
export { HashingEmbedder, resolveEmbedder, MODEL_DIR_ENV } from './embedders.js';
export type { Embedder, EmbedderOptions } from './embedders.js';
export { DISTANCE_METRICS } from './types.js';
export type { CollectionSpec, DistanceMetric, ListOptions, Page, SearchOptions, VectorEngine, VectorItem, VectorRecord } from './types.js';
export { decodeVector } from './ndarray.js';
export { loadTransformersEmbedder, MODEL_FILES } from './transformers-embedder.js';
