/**
 * Binding call arguments to a declared method's parameters, the way Python binds a call: positional
 * arguments fill the parameters in order, keyword arguments by name, defaults fill the rest. Used
 * for RPC calls (positional, or `with_kwargs` from Python clients) and HTTP calls alike.
 */
import { InvalidArgumentError } from './errors.js';
import type { MethodDef } from './method.js';

export function bindArguments(
  name: string,
  def: MethodDef<any, any, any>,
  positional: readonly unknown[],
  kwargs: Record<string, unknown> | null,
): Record<string, unknown> {
  const names = def.paramNames;
  if (positional.length > names.length) {
    throw new InvalidArgumentError(
      `${name}() takes ${names.length} argument${names.length === 1 ? '' : 's'} but ${positional.length} were given`,
    );
  }
  const args: Record<string, unknown> = {};
  positional.forEach((value, i) => {
    if (value !== undefined) args[names[i]!] = value;
  });
  if (kwargs) {
    for (const key of Object.keys(kwargs)) {
      if (!names.includes(key)) throw new InvalidArgumentError(`${name}() got an unexpected keyword argument '${key}'`);
      if (key in args) throw new InvalidArgumentError(`${name}() got multiple values for argument '${key}'`);
      if (kwargs[key] !== undefined) args[key] = kwargs[key];
    }
  }
  for (const key of names) {
    if (args[key] !== undefined && args[key] !== null) continue;
    const schema = def.params[key] as { default?: unknown };
    if (args[key] === undefined && schema.default !== undefined) args[key] = structuredClone(schema.default);
  }
  const missing = def.required.filter((key) => args[key] === undefined);
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `${name}() missing ${missing.length} required argument${missing.length === 1 ? '' : 's'}: ${missing.map((m) => `'${m}'`).join(', ')}`,
    );
  }
  return args;
}
