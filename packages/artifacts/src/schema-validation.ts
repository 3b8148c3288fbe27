/** `collection_schema` (JSON Schema draft 7) checks of child manifests. */
import { Ajv, type ValidateFunction } from 'ajv';
import { invalid } from './errors.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const cache = new Map<string, ValidateFunction>();

function compile(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    try {
      fn = ajv.compile(schema as object);
    } catch (err) {
      throw invalid(`Invalid collection_schema: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    if (cache.size > 200) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

/** Checks that a schema compiles. */
export function assertSchema(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw invalid('collection_schema must be a JSON Schema object');
  compile(schema);
}

/** Validates a manifest against a collection's schema (when it has one). */
export function validateManifest(schema: unknown, manifest: unknown, alias: string): void {
  if (schema === undefined || schema === null) return;
  const fn = compile(schema);
  if (!fn(manifest ?? {})) {
    const detail = (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()).join('; ');
    throw invalid(`ValidationError: manifest of ${alias} does not match the collection_schema: ${detail}`);
  }
}
