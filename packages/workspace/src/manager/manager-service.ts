/**
 * The `default` service of the manager peer, declared once (`@hypha/service`): every method with
 * the reference's keyword names, order, defaults and descriptions, the permission it needs in
 * the caller's workspace and its handler. The RPC object, `__schema__`/`__doc__` and keyword
 * binding (Python clients, HTTP) are derived from the declaration.
 */
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { PermissionDeniedError, defineService, toRpcService } from '@hypha/service';
import type { Authorize, Permission, ServiceDef } from '@hypha/service';
import type { WorkspaceManager } from './workspace-manager.js';
import { clientMethods } from './methods/client-methods.js';
import { eventMethods } from './methods/event-methods.js';
import { logEnvMethods } from './methods/log-env-methods.js';
import { serviceMethods } from './methods/service-methods.js';
import { serviceTypeMethods } from './methods/service-type-methods.js';
import { tokenMethods } from './methods/token-methods.js';
import { workspaceMethods } from './methods/workspace-methods.js';

/** Names of the manager methods, in the order the service lists them. */
export const MANAGER_METHODS = [
  'echo', 'log', 'log_event', 'get_event_stats', 'get_events', 'register_service', 'unregister_service',
  'list_workspaces', 'list_services', 'search_services', 'list_clients', 'register_service_type',
  'get_service_type', 'list_service_types', 'get_service_info', 'get_service', 'generate_token',
  'revoke_token', 'parse_token', 'create_workspace', 'delete_workspace', 'bookmark', 'unbookmark',
  'get_workspace_info', 'get_summary', 'ping', 'cleanup', 'check_status', 'set_env', 'get_env',
  'subscribe', 'unsubscribe',
] as const;

const PERMISSION_LEVEL: Record<Exclude<Permission, 'none'>, 'r' | 'rw' | 'a'> = { read: 'r', read_write: 'rw', admin: 'a' };

/** Refuses a call whose caller lacks `permission` in its own workspace (`ctx.ws`). */
export const authorizeInWorkspace: Authorize = (ctx, permission) => {
  if (permission === 'none') return;
  if (!checkPermission(ctx.user as UserInfo, ctx.ws, PERMISSION_LEVEL[permission])) {
    throw new PermissionDeniedError(`Permission denied for workspace ${ctx.ws}`);
  }
};

/** The declaration of the manager's `default` service, bound to `m`. */
export function managerServiceDef(m: WorkspaceManager): ServiceDef {
  const all: Record<string, ServiceDef['methods'][string]> = {
    ...logEnvMethods(m),
    ...eventMethods(m),
    ...serviceMethods(m),
    ...serviceTypeMethods(m),
    ...clientMethods(m),
    ...tokenMethods(m),
    ...workspaceMethods(m),
  };
  const methods: ServiceDef['methods'] = {};
  for (const name of MANAGER_METHODS) {
    if (!all[name]) throw new Error(`Workspace manager service lacks method ${name}`);
    methods[name] = all[name];
  }
  const extra = Object.keys(all).filter((name) => !(MANAGER_METHODS as readonly string[]).includes(name));
  if (extra.length) throw new Error(`Workspace manager methods missing from MANAGER_METHODS: ${extra.join(', ')}`);
  return defineService({
    id: 'default',
    name: 'Default workspace management service',
    description: 'Services for managing workspace.',
    config: { visibility: 'public' },
    methods,
  });
}

/** The object the manager peer registers over RPC. */
export function createManagerService(m: WorkspaceManager): Record<string, unknown> {
  return toRpcService(managerServiceDef(m), { authorize: authorizeInWorkspace, config: m.serverInfo });
}
