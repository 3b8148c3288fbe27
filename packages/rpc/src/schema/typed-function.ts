import { OptionalKind, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { toPlainSchema, type SchemaFunction } from './function-schema.js';

/** One positional parameter: its name and TypeBox schema (`Type.Optional(...)` for optional). */
export type ParameterSpec = readonly [name: string, schema: TSchema];

/** The TypeScript type of one parameter; `Type.Optional(X)` gives `Static<X> | undefined`. */
export type ParameterType<S extends TSchema> = S extends TOptional<infer U> ? Static<U> | undefined : Static<S>;

/** The positional argument tuple described by a list of {@link ParameterSpec}s. */
export type ParameterTypes<P extends readonly ParameterSpec[]> = {
  -readonly [K in keyof P]: P[K] extends readonly [string, infer S extends TSchema] ? ParameterType<S> : never;
};

/** What a {@link typedFunction} implementation may return for a `returns` schema. */
export type ReturnTypeOf<R extends TSchema | undefined> = R extends TSchema ? Static<R> : unknown;

/** The declaration of a {@link typedFunction}. */
export interface TypedFunctionSpec<P extends readonly ParameterSpec[], R extends TSchema | undefined> {
  name: string;
  description?: string;
  /** Positional parameters in call order, e.g. `[['a', Type.Number()], ['b', Type.Number()]]`. */
  parameters: P;
  /** Schema of the result; types the implementation's return value (not sent in `__schema__`). */
  returns?: R;
}

/**
 * Declare a service function from TypeBox schemas: the implementation's parameters are typed
 * from the schemas (no annotations, no codegen), `__schema__` is built in hypha-rpc's exact
 * shape, and callers that take `typeof service` through `getService<T>()` get the same types.
 *
 * Parameters are a list because a hypha function is called positionally; the names become the
 * schema's `properties` and, except for `Type.Optional` ones, its `required` list.
 *
 * @example
 * const add = typedFunction(
 *   { name: 'add', description: 'Add two numbers',
 *     parameters: [['a', Type.Number()], ['b', Type.Optional(Type.Number())]], returns: Type.Number() },
 *   (a, b) => a + (b ?? 0), // a: number, b: number | undefined
 * );
 */
export function typedFunction<const P extends readonly ParameterSpec[], R extends TSchema | undefined = undefined>(
  spec: TypedFunctionSpec<P, R>,
  implementation: (...args: ParameterTypes<P>) => ReturnTypeOf<R> | Promise<ReturnTypeOf<R>>,
): SchemaFunction<(...args: ParameterTypes<P>) => ReturnTypeOf<R> | Promise<ReturnTypeOf<R>>> {
  if (!spec?.name) throw new Error('typedFunction: spec.name is required');
  if (typeof implementation !== 'function') throw new Error(`typedFunction ${spec.name}: implementation should be a function`);
  if (!Array.isArray(spec.parameters)) throw new Error(`typedFunction ${spec.name}: parameters should be a list of [name, schema]`);
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const entry of spec.parameters) {
    const [paramName, schema] = entry as ParameterSpec;
    if (typeof paramName !== 'string' || !paramName || typeof schema !== 'object' || schema === null) {
      throw new Error(`typedFunction ${spec.name}: each parameter should be [name, schema], got ${JSON.stringify(entry)}`);
    }
    if (paramName in properties) throw new Error(`typedFunction ${spec.name}: duplicate parameter ${paramName}`);
    properties[paramName] = toPlainSchema(schema);
    if (!(OptionalKind in schema)) required.push(paramName);
  }
  const fn = implementation as SchemaFunction<typeof implementation>;
  fn.__schema__ = {
    name: spec.name,
    description: spec.description ?? '',
    parameters: { type: 'object', properties, required },
  };
  return fn;
}
