/** Manager methods for services: registering, finding, listing and searching them. */
import { Type, defineMethod } from '@hypha/service';
import type { ServiceInfo } from '../../registry/service-info.js';
import type { CallContext } from '../context.js';
import type { ServiceSearchParams } from '../service-search.js';
import type { WorkspaceManager } from '../workspace-manager.js';
import { getService, getServiceInfo, listServices } from './service-lookup.js';
import { registerService, unregisterService } from './service-registration.js';
import { map, maybe } from './params.js';

type Config = Record<string, any> | null;

export function serviceMethods(m: WorkspaceManager) {
  return {
    register_service: defineMethod({
      description: 'Register a service of the calling client in its workspace.',
      params: {
        service: map('The service info (id, name, type, config, service_schema, ...).'),
        config: maybe<Config>(['object', 'null'], 'Registration options, e.g. skip_app_id_validation (boolean, default false).', null),
      },
      permission: 'read_write',
      handler: async ({ service }, ctx: CallContext) => registerService(m, ctx, service),
    }),

    unregister_service: defineMethod({
      description: 'Remove a service registered by the calling client.',
      params: { service_id: Type.String({ description: 'Id of the service to remove.' }) },
      permission: 'read_write',
      handler: async ({ service_id }, ctx: CallContext) => unregisterService(m, ctx, service_id),
    }),

    list_services: defineMethod({
      description: 'List the services matching a query that the caller may see.',
      params: {
        query: maybe<Record<string, unknown> | string | null>(
          ['object', 'string', 'null'],
          "Filter as a map (visibility, workspace, client_id, service_id, type) or a pattern string such as 'workspace/client_id:service_id' or 'workspace/service_id'.",
          null,
        ),
        include_unlisted: maybe<boolean>('boolean', "Also return unlisted services (only those of the caller's own workspace).", false),
        include_app_services: maybe<boolean>(
          'boolean',
          'Also return services declared by installed applications that are not running.',
          false,
        ),
        prioritize_running_services: maybe<boolean>(
          'boolean',
          'With include_app_services, prefer a running service over an app-declared one with the same id.',
          false,
        ),
      },
      permission: 'none',
      handler: async ({ query, include_unlisted, include_app_services }, ctx: CallContext): Promise<ServiceInfo[]> =>
        listServices(m, ctx, query, include_unlisted, include_app_services),
    }),

    search_services: defineMethod({
      description: 'Search services by text or embedding vector, by filters, or both.',
      params: {
        query: maybe(undefined, 'A text query or an embedding vector.', null),
        filters: maybe<Config>(['object', 'null'], 'Field filters combined with the query.', null),
        limit: maybe<number | null>(['integer', 'null'], 'Largest number of results.', 5),
        offset: maybe<number | null>(['integer', 'null'], 'Number of results to skip.', 0),
        return_fields: maybe<string[] | null>(['array', 'null'], 'Fields to include in each result.', null),
        order_by: maybe<string | null>(['string', 'null'], 'Field to sort by (score when a query is given).', null),
        pagination: maybe<boolean | null>(['boolean', 'null'], 'Return the results with the total count.', false),
        include_unlisted: maybe<boolean>('boolean', "Also search unlisted services of the caller's workspace.", false),
      },
      permission: 'none',
      handler: async (params, ctx: CallContext): Promise<unknown> => {
        if (!m.serviceSearch) throw new Error('Service search is not enabled.');
        return m.serviceSearch.search(ctx.ws, params as ServiceSearchParams);
      },
    }),

    get_service_info: defineMethod({
      description: 'Get the registration info of a service.',
      params: {
        service_id: Type.String({
          description: "Service id, bare or as 'workspace/client_id:service_id'; '~' names the workspace manager.",
        }),
        config: maybe<Config>(
          ['object', 'null'],
          "Options: mode picks one of several matches ('random', 'first', 'last', 'exact', 'min_load', 'native:random' or 'select:<criteria>:<function>'); select_timeout bounds the calls a select mode makes.",
          null,
        ),
      },
      permission: 'none',
      handler: async ({ service_id, config }, ctx: CallContext) => getServiceInfo(m, ctx, service_id, config),
    }),

    get_service: defineMethod({
      description: 'Get a service by id, ready to call.',
      params: {
        service_id: Type.String({
          description:
            "Service id as 'workspace/service_id', 'workspace/client_id:service_id' or 'workspace/client_id:service_id@app_id'; '~' names the workspace manager.",
        }),
        config: maybe<Config>(['object', 'null'], 'Options: mode, timeout and case_conversion (camel, snake or camel+snake).', null),
      },
      permission: 'none',
      handler: async ({ service_id, config }, ctx: CallContext) => getService(m, ctx, service_id, config),
    }),
  };
}
