/**
 * The `default` service object of the manager peer. Each function names its parameters exactly
 * like the reference (Python clients call with keyword arguments, which the RPC layer maps by
 * parameter name) and ends with the injected `context`. No parameter has a default value, so
 * `fn.length` counts them all and the context lands in the last slot.
 */
import type { WorkspaceManager } from './workspace-manager.js';
import { managerMethodSchema } from './manager-schemas.js';

 
export function createManagerService(m: WorkspaceManager): Record<string, unknown> {
  return withSchemas({
    id: 'default',
    name: 'Default workspace management service',
    description: 'Services for managing workspace.',
    type: 'generic',
    config: { require_context: true, visibility: 'public', ...m.serverInfo },
    echo: (data: any, context: any) => m.echo(data, context),
    log: (msg: any, context: any) => m.log(msg, context),
    log_event: (event_type: any, data: any, context: any) => m.log_event(event_type, data, context),
    get_event_stats: (event_type: any, start_time: any, end_time: any, context: any) =>
      m.get_event_stats(event_type, start_time, end_time, context),
    get_events: (event_type: any, start_time: any, end_time: any, context: any) =>
      m.get_events(event_type, start_time, end_time, context),
    register_service: (service: any, config: any, context: any) => m.register_service(service, config, context),
    unregister_service: (service_id: any, context: any) => m.unregister_service(service_id, context),
    list_workspaces: (match: any, offset: any, limit: any, context: any) => m.list_workspaces(match, offset, limit, context),
    list_services: (query: any, include_unlisted: any, include_app_services: any, prioritize_running_services: any, context: any) =>
      m.list_services(query, include_unlisted, include_app_services, prioritize_running_services, context),
    search_services: (query: any, filters: any, limit: any, offset: any, return_fields: any, order_by: any, pagination: any, include_unlisted: any, context: any) =>
      m.search_services(query, filters, limit, offset, return_fields, order_by, pagination, include_unlisted, context),
    list_clients: (workspace: any, context: any) => m.list_clients(workspace, context),
    register_service_type: (type_info: any, context: any) => m.register_service_type(type_info, context),
    get_service_type: (type_id: any, context: any) => m.get_service_type(type_id, context),
    list_service_types: (workspace: any, context: any) => m.list_service_types(workspace, context),
    get_service_info: (service_id: any, config: any, context: any) => m.get_service_info(service_id, config, context),
    get_service: (service_id: any, config: any, context: any) => m.get_service(service_id, config, context),
    generate_token: (config: any, context: any) => m.generate_token(config, context),
    revoke_token: (token: any, context: any) => m.revoke_token(token, context),
    parse_token: (token: any, context: any) => m.parse_token(token, context),
    create_workspace: (config: any, overwrite: any, context: any) => m.create_workspace(config, overwrite, context),
    delete_workspace: (workspace: any, context: any) => m.delete_workspace(workspace, context),
    bookmark: (item: any, context: any) => m.bookmark(item, context),
    unbookmark: (item: any, context: any) => m.unbookmark(item, context),
    get_workspace_info: (workspace: any, context: any) => m.get_workspace_info(workspace, context),
    get_summary: (context: any) => m.get_summary(context),
    ping: (client_id: any, timeout: any, context: any) => m.ping(client_id, timeout, context),
    cleanup: (workspace: any, timeout: any, context: any) => m.cleanup(workspace, timeout, context),
    check_status: (context: any) => m.check_status(context),
    set_env: (key: any, value: any, context: any) => m.set_env(key, value, context),
    get_env: (key: any, context: any) => m.get_env(key, context),
    subscribe: (event_type: any, context: any) => m.subscribe(event_type, context),
    unsubscribe: (event_type: any, context: any) => m.unsubscribe(event_type, context),
  });
}

/** Gives each method its `__schema__` (named after its key) and `__doc__` (its description). */
function withSchemas(service: Record<string, unknown>): Record<string, unknown> {
  for (const name of MANAGER_METHODS) {
    const fn = service[name] as ((...args: any[]) => unknown) & { __schema__?: unknown; __doc__?: string };
    if (typeof fn !== 'function') throw new Error(`Workspace manager service lacks method ${name}`);
    const schema = managerMethodSchema(name);
    fn.__schema__ = schema;
    fn.__doc__ = schema.description;
  }
  return service;
}

/** Names of the manager methods (for documentation and tests). */
export const MANAGER_METHODS = [
  'echo', 'log', 'log_event', 'get_event_stats', 'get_events', 'register_service', 'unregister_service',
  'list_workspaces', 'list_services', 'search_services', 'list_clients', 'register_service_type',
  'get_service_type', 'list_service_types', 'get_service_info', 'get_service', 'generate_token',
  'revoke_token', 'parse_token', 'create_workspace', 'delete_workspace', 'bookmark', 'unbookmark',
  'get_workspace_info', 'get_summary', 'ping', 'cleanup', 'check_status', 'set_env', 'get_env',
  'subscribe', 'unsubscribe',
] as const;
