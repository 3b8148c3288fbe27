import type { TObject, TProperties } from '@sinclair/typebox';
import { normalizeParameters, type SchemaFunction } from './function-schema.js';

/** Options of {@link schemaFunction}; the same keys as hypha-rpc's. */
export interface SchemaFunctionOptions {
  /** Only `"auto"` is supported (as in hypha-rpc). */
  schema_type?: 'auto';
  /** Defaults to the function's own name. */
  name?: string | null;
  description?: string | null;
  /** An object JSON Schema, e.g. built with TypeBox's `Type.Object({...})`. */
  parameters: TObject<TProperties> | { type: 'object'; properties?: Record<string, unknown>; required?: string[] };
}

/**
 * Attach a JSON Schema to a function as `__schema__`, in exactly hypha-rpc's shape, and
 * return the same function. Callers (other clients, LLM tools, the HTTP and MCP adapters)
 * see it as the function's `_rschema`.
 *
 * @example
 * import { Type } from '@sinclair/typebox';
 * const add = schemaFunction((a: number, b: number) => a + b, {
 *   name: 'add',
 *   description: 'Add two numbers',
 *   parameters: Type.Object({ a: Type.Number(), b: Type.Number() }),
 * });
 */
export function schemaFunction<F extends (...args: any[]) => any>(
  fn: F,
  options: SchemaFunctionOptions,
): SchemaFunction<F> {
  if (typeof fn !== 'function') throw new Error('func should be a function');
  const { schema_type = 'auto', name = null, description = null, parameters } = options ?? ({} as SchemaFunctionOptions);
  if (schema_type !== 'auto') throw new Error(`schema_type should be auto, got ${String(schema_type)}`);
  const functionName = name || fn.name;
  if (!functionName) throw new Error('name should not be null: pass options.name for an anonymous function');
  const target = fn as SchemaFunction<F>;
  target.__schema__ = {
    name: functionName,
    description: description || '',
    parameters: normalizeParameters(parameters, functionName),
  };
  return target;
}
