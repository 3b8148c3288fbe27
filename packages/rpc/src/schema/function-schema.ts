/** A JSON Schema of an object, the only `parameters` shape hypha-rpc accepts. */
export interface ObjectParametersSchema {
  type: 'object';
  properties: Record<string, unknown>;
  required: string[];
}

/**
 * The `__schema__` attached to a function, exactly as hypha-rpc's `schemaFunction` builds it:
 * `{name, description, parameters: {type: "object", properties, required}}`. It travels as
 * `_rschema` on the encoded function (spec §5.3) and feeds MCP tools and HTTP docs.
 */
export interface FunctionSchema {
  name: string;
  description: string;
  parameters: ObjectParametersSchema;
}

/** A function carrying a {@link FunctionSchema}. */
export type SchemaFunction<F> = F & { __schema__: FunctionSchema };

/**
 * A plain-JSON copy of a schema: TypeBox's symbol keys (`[Kind]`, `[OptionalKind]`) and
 * undefined values dropped, hypha-rpc's internal `_optional` flag removed, so the schema
 * encodes to msgpack exactly as written.
 */
export function toPlainSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlainSchema);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '_optional') continue;
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function') continue;
    out[key] = toPlainSchema(item);
  }
  return out;
}

/**
 * Check `parameters` and reduce it to hypha-rpc's shape (`type`, `properties`, `required`;
 * other top-level keys are dropped as the reference does).
 */
export function normalizeParameters(parameters: unknown, functionName: string): ObjectParametersSchema {
  const schema = parameters as { type?: unknown; properties?: unknown; required?: unknown } | null;
  if (!schema || typeof schema !== 'object' || schema.type !== 'object') {
    throw new Error(`parameters of ${functionName} should be an object schema ({type: "object", properties, required})`);
  }
  if (schema.properties !== undefined && (typeof schema.properties !== 'object' || schema.properties === null)) {
    throw new Error(`parameters.properties of ${functionName} should be an object`);
  }
  if (schema.required !== undefined && !Array.isArray(schema.required)) {
    throw new Error(`parameters.required of ${functionName} should be an array of names`);
  }
  return {
    type: 'object',
    properties: toPlainSchema(schema.properties ?? {}) as Record<string, unknown>,
    required: [...((schema.required as string[] | undefined) ?? [])],
  };
}
