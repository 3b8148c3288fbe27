/**
 * One declaration per method of a built-in service: its name, keyword parameters with their JSON
 * Schema (TypeBox), the permission it needs and its implementation. Everything else — the RPC
 * function with `__schema__`, keyword binding for Python callers and HTTP, docs — is derived
 * from it (see `service.ts`).
 */
import { Type } from '@sinclair/typebox';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { CallContext } from './context.js';

/**
 * What a caller needs in the caller's own workspace (`ctx.ws`) before the handler runs:
 * `none` (anyone, also anonymous), `read`, `read_write` or `admin`. Methods whose permission
 * depends on their arguments (another workspace, an artifact) say `none` and check inside.
 */
export type Permission = 'none' | 'read' | 'read_write' | 'admin';

/** Parameters in call order: name → schema (`Type.Optional(...)` for optional ones). */
export type ParamsSpec = Record<string, TSchema>;

/** The arguments a handler receives, typed from the parameter schemas. */
export type ArgsOf<P extends ParamsSpec> = Static<TObject<P>>;

export interface MethodSpec<P extends ParamsSpec, R, C extends CallContext = CallContext> {
  /** One or two sentences; the first is the summary shown in listings. */
  description: string;
  params: P;
  permission: Permission;
  /** Method syntax on purpose: declarations with different argument types share one map type. */
  handler(args: ArgsOf<P>, ctx: C): R;
}

/** A declared method; its name is the key it is given in its service. */
export interface MethodDef<P extends ParamsSpec = ParamsSpec, R = unknown, C extends CallContext = CallContext>
  extends MethodSpec<P, R, C> {
  readonly paramNames: readonly string[];
  readonly required: readonly string[];
}

/** Declares a method. `params` keeps its key order: that is the positional order. */
export function defineMethod<P extends ParamsSpec, R, C extends CallContext = CallContext>(
  spec: MethodSpec<P, R, C>,
): MethodDef<P, R, C> {
  const paramNames = Object.keys(spec.params);
  if (paramNames.includes('context')) throw new Error('A method parameter may not be named "context" (it is injected)');
  const object = Type.Object(spec.params);
  return { ...spec, paramNames, required: object.required ?? [] };
}

/** The JSON Schema of a method in the shape hypha-rpc reads from `__schema__`. */
export interface MethodSchema {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
}

export function methodSchema(name: string, def: MethodDef<any, any, any>): MethodSchema {
  const properties: Record<string, unknown> = {};
  for (const key of def.paramNames) properties[key] = plainSchema(def.params[key]!);
  const parameters: MethodSchema['parameters'] = { type: 'object', properties };
  if (def.required.length > 0) parameters.required = [...def.required];
  return { name, description: def.description, parameters };
}

/** A TypeBox schema without its symbol keys (they do not survive msgpack or JSON anyway). */
function plainSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}
