/**
 * A built-in service declared once (`defineService`) and what is derived from it: the object
 * registered over RPC (`toRpcService`), method schemas for `get_service_info` and agent skills,
 * and Markdown docs (`describeService`).
 */
import { bindArguments } from './bind.js';
import { requireContext } from './context.js';
import type { CallContext } from './context.js';
import { methodSchema } from './method.js';
import type { MethodDef, MethodSchema, Permission } from './method.js';

export type MethodMap = Record<string, MethodDef<any, any, any>>;

export interface ServiceSpec<M extends MethodMap = MethodMap> {
  id: string;
  name: string;
  description: string;
  type?: string;
  docs?: string;
  /** Service config (`visibility`, ...); `require_context` is always set. */
  config?: Record<string, unknown>;
  methods: M;
}

export type ServiceDef<M extends MethodMap = MethodMap> = Readonly<ServiceSpec<M>>;

const METHOD_NAME = /^[a-z_][a-z0-9_]*$/;

export function defineService<M extends MethodMap>(spec: ServiceSpec<M>): ServiceDef<M> {
  for (const name of Object.keys(spec.methods)) {
    if (!METHOD_NAME.test(name)) throw new Error(`Invalid method name "${name}" in service ${spec.id}`);
  }
  return Object.freeze({ ...spec });
}

/** Throws (a PermissionDeniedError) unless the caller of `ctx` has `permission` in `ctx.ws`. */
export type Authorize = (ctx: CallContext, permission: Permission, method: string) => void;

export interface RpcServiceOptions {
  authorize: Authorize;
  /** Extra config merged into the service's `config` (server info, ...). */
  config?: Record<string, unknown>;
}

/** Marks a function whose keyword arguments the RPC layer passes as one `{..., _rkwargs: true}` map. */
export const ACCEPTS_KWARGS = '__accepts_kwargs__';

/**
 * The object to register over RPC: each method becomes a function taking its parameters in order
 * plus the injected context, with `__schema__` and `__doc__`. Keyword arguments arrive as a
 * trailing `_rkwargs` map and are bound by name, so Python callers and HTTP calls work alike.
 */
export function toRpcService(def: ServiceDef, options: RpcServiceOptions): Record<string, unknown> {
  const service: Record<string, unknown> = {
    id: def.id,
    name: def.name,
    description: def.description,
    type: def.type ?? 'generic',
    config: { ...def.config, ...options.config, require_context: true },
  };
  if (def.docs !== undefined) service.docs = def.docs;
  for (const [name, method] of Object.entries(def.methods)) {
    service[name] = rpcFunction(name, method, options.authorize);
  }
  return service;
}

function rpcFunction(name: string, method: MethodDef<any, any, any>, authorize: Authorize): (...args: unknown[]) => unknown {
  const fn = (...received: unknown[]): unknown => {
    const ctx = requireContext(received[received.length - 1]);
    const { positional, kwargs } = splitKwargs(received.slice(0, -1));
    // Arguments are bound before the permission check, as a Python call binds them before its body.
    const args = bindArguments(name, method, positional, kwargs);
    authorize(ctx, method.permission, name);
    return method.handler(args, ctx);
  };
  const schema = methodSchema(name, method);
  // The RPC layer pads the arguments to `length - 1` and puts the context last.
  Object.defineProperty(fn, 'length', { value: method.paramNames.length + 1 });
  Object.defineProperty(fn, 'name', { value: name });
  Object.defineProperty(fn, ACCEPTS_KWARGS, { value: true });
  Object.assign(fn, { __schema__: schema, __doc__: method.description });
  return fn;
}

function splitKwargs(args: unknown[]): { positional: unknown[]; kwargs: Record<string, unknown> | null } {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const last = args[end - 1];
  if (end > 0 && isKwargsMap(last)) {
    const { _rkwargs: _marker, ...kwargs } = last;
    return { positional: args.slice(0, end - 1), kwargs };
  }
  return { positional: args.slice(0, end), kwargs: null };
}

function isKwargsMap(value: unknown): value is Record<string, unknown> & { _rkwargs: true } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { _rkwargs?: unknown })._rkwargs === true;
}

/** The schemas of every method, in declaration order. */
export function serviceSchemas(def: ServiceDef): MethodSchema[] {
  return Object.entries(def.methods).map(([name, method]) => methodSchema(name, method));
}

/** Markdown reference of a service: one section per method with its parameters. */
export function describeService(def: ServiceDef): string {
  const lines = [`# ${def.name} (\`${def.id}\`)`, '', def.description, ''];
  for (const [name, method] of Object.entries(def.methods)) {
    const schema = methodSchema(name, method);
    lines.push(`## ${name}(${method.paramNames.join(', ')})`, '', method.description, '');
    lines.push(`Permission: ${method.permission}.`, '');
    for (const key of method.paramNames) {
      const p = schema.parameters.properties[key] as { description?: string; type?: unknown; default?: unknown };
      const type = p.type === undefined ? 'any' : JSON.stringify(p.type);
      const req = method.required.includes(key) ? 'required' : `optional, default ${JSON.stringify(p.default ?? null)}`;
      lines.push(`- \`${key}\` (${type}, ${req}): ${p.description ?? ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
