/**
 * Parameter schemas of the manager methods, in the exact JSON Schema shape the reference's
 * `__schema__` has on the wire (hypha-rpc clients read it): `type` may be a list such as
 * `['string', 'null']`, maps are `{type: 'object'}` without `properties`, and a parameter that
 * takes any value has no `type`.
 */
import { Type } from '@hypha/service';

/** Any value. */
export const anyValue = (description: string) => Type.Any({ description });

/** A required map. */
export const map = (description: string) => Type.Unsafe<Record<string, any>>({ type: 'object', description });

/** An optional parameter whose value may be of several JSON types (`null` among them, usually). */
export function maybe<T = any>(type: string | string[] | undefined, description: string, defaultValue: unknown) {
  const schema: Record<string, unknown> = {};
  if (type !== undefined) schema.type = type;
  schema.description = description;
  schema.default = defaultValue;
  return Type.Optional(Type.Unsafe<T>(schema));
}

/** The optional `workspace` parameter: the caller's workspace when omitted. */
export const optionalWorkspace = () =>
  maybe<string | null>(['string', 'null'], "Workspace id (the caller's when omitted).", null);
