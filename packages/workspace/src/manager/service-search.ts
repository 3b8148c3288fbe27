/**
 * The hook behind `search_services` (server-api §4, `--enable-service-search`): the server installs
 * an index that embeds services when they are registered and searches them. Without one, the
 * method answers the reference's "Service search is not enabled." error.
 */
import type { ServiceInfo } from '../registry/service-info.js';

/** The keyword arguments of `search_services`, as the caller gave them. */
export interface ServiceSearchParams {
  query: unknown;
  filters: Record<string, unknown> | null;
  limit: number | null;
  offset: number | null;
  return_fields: string[] | null;
  order_by: string | null;
  pagination: boolean | null;
  include_unlisted: boolean;
}

export interface ServiceSearch {
  /**
   * Checks and embeds a service about to be stored under registry key `key`; returns the step that
   * enters it in the index, run once the service it replaces (if any) is gone.
   * @throws when the service cannot be indexed (a `service_embedding` of the wrong size, say):
   *   the registration then fails and nothing changes.
   */
  prepare(key: string, info: ServiceInfo): Promise<() => Promise<void>>;
  /** Services visible from `workspace` that match, nearest first when there is a query. */
  search(workspace: string, params: ServiceSearchParams): Promise<unknown>;
}
