/** `collection_schema` (JSON Schema draft 7) checks of child manifests. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
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
    const detail = (fn.errors ?? []).map(describe).join('; ');
    throw invalid(`ValidationError: ${detail} (manifest of ${alias} does not match the collection_schema)`);
  }
}

/** An ajv error in the words of Python's jsonschema, which clients match on. */
function describe(e: ErrorObject): string {
  const at = e.instancePath ? ` at ${e.instancePath}` : '';
  if (e.keyword === 'required') return `'${String(e.params.missingProperty)}' is a required property${at}`;
  if (e.keyword === 'type') return `${at ? `${e.instancePath.slice(1)}: ` : ''}is not of type '${String(e.params.type)}'`;
  if (e.keyword === 'enum') return `${e.instancePath.slice(1) || 'value'} is not one of ${JSON.stringify(e.params.allowedValues)}`;
  return `${e.instancePath || '/'} ${e.message ?? ''}`.trim();
}
