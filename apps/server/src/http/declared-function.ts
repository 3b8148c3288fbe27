/** Plain service functions whose keyword names survive bundling. */
import { schemaFunction } from '@hypha/rpc';

/**
 * Names the parameters of a plain service function in a `__schema__`, which hypha-rpc peers bind
 * keyword arguments with. The started server is one esbuild bundle, and esbuild renames parameters
 * that share a name with another top-level symbol (`email` becomes `email2`), so keyword names
 * cannot be read from a function's source there.
 */
export function declare<F extends (...args: any[]) => any>(
  fn: F,
  name: string,
  description: string,
  properties: Record<string, Record<string, unknown>>,
  required: string[] = [],
): F {
  return schemaFunction(fn, { name, description, parameters: { type: 'object', properties, required } });
}
