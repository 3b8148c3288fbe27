/** Checking and formatting what callers give as vectors and collection settings. */
import { InvalidArgumentError } from '@hypha/service';
import { DISTANCE_METRICS } from './types.js';
import type { CollectionSpec, DistanceMetric } from './types.js';

export const MAX_DIMENSION = 16_000;

export function checkSpec(spec: { dimension?: unknown; distanceMetric?: unknown }): CollectionSpec {
  const d = spec.dimension;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_DIMENSION) {
    throw new InvalidArgumentError(`dimension must be an integer from 1 to ${MAX_DIMENSION}, got ${JSON.stringify(d)}`);
  }
  const m = typeof spec.distanceMetric === 'string' ? spec.distanceMetric.toLowerCase() : spec.distanceMetric;
  if (!DISTANCE_METRICS.includes(m as DistanceMetric)) {
    throw new InvalidArgumentError(`distance_metric must be one of ${DISTANCE_METRICS.join(', ')}, got ${JSON.stringify(spec.distanceMetric)}`);
  }
  return { dimension: d, distanceMetric: m as DistanceMetric };
}

/** The pgvector text form `[x,y,...]` of a checked vector. */
export function vectorLiteral(vector: unknown, dimension: number, what: string): string {
  if (!Array.isArray(vector) && !ArrayBuffer.isView(vector)) {
    throw new InvalidArgumentError(`${what} must be a list of numbers, got ${typeof vector}`);
  }
  const values = Array.from(vector as ArrayLike<unknown>);
  if (values.length !== dimension) {
    throw new InvalidArgumentError(`${what} has dimension ${values.length}, but the collection's dimension is ${dimension}`);
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new InvalidArgumentError(`${what} must be a list of numbers: element ${i} is ${JSON.stringify(x)}`);
    }
  }
  return `[${values.join(',')}]`;
}

export function checkId(id: unknown, what = 'Vector id'): string {
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string' || id.length === 0 || id.length > 512) {
    throw new InvalidArgumentError(`${what} must be a non-empty string of at most 512 characters, got ${JSON.stringify(id)}`);
  }
  return id;
}

export function checkPaging(offset: unknown, limit: unknown): { offset: number; limit: number } {
  const o = offset ?? 0;
  const l = limit ?? 10;
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) throw new InvalidArgumentError(`offset must be an integer ≥ 0, got ${JSON.stringify(offset)}`);
  if (typeof l !== 'number' || !Number.isInteger(l) || l < 1 || l > 10_000) {
    throw new InvalidArgumentError(`limit must be an integer from 1 to 10000, got ${JSON.stringify(limit)}`);
  }
  return { offset: o, limit: l };
}
