import type { ConnectionInfo } from '../connection.js';
import { schemaFunction } from '../schema/schema-function.js';
import { getSchema } from '../service/service-info.js';
import type { HyphaServer } from '../types/workspace-manager.js';
import type { Logger } from '../utils/logger.js';
import type { ClientRpc } from './client-rpc.js';

/** What {@link buildWorkspaceManager} needs besides the RPC peer. */
export interface WorkspaceManagerContext {
  rpc: ClientRpc;
  /** The latest `connection_info` (its manager id changes when the server restarts). */
  latestInfo: () => ConnectionInfo | null;
  info: ConnectionInfo;
  name?: string;
  description?: string;
  logger: Logger;
}

type Params = { type: 'object'; properties: Record<string, unknown>; required?: string[] };

function toSnake(name: string): string {
  return name.replace(/([A-Z])/g, '_$1').toLowerCase();
}

/**
 * Put a client-side helper on the server object under its camelCase name and its snake_case
 * name, each with its own `__schema__` (hypha-rpc's shape, named after the key).
 */
function defineHelper(
  target: Record<string, unknown>,
  name: string,
  fn: (...args: any[]) => any,
  description: string,
  parameters: Params,
): void {
  target[name] = schemaFunction((...args: any[]) => fn(...args), { name, description, parameters });
  const snake = toSnake(name);
  if (snake !== name) target[snake] = schemaFunction((...args: any[]) => fn(...args), { name: snake, description, parameters });
}

/**
 * Turn the manager's remote service into the object `connectToServer` returns: remote methods
 * under camelCase and snake_case names, `config` merged with `connection_info`, and the local
 * helpers hypha-rpc adds (`registerService`, `export`, `getApp`, `listApps`, `on`, ...).
 */
export function buildWorkspaceManager(remote: Record<string, any>, ctx: WorkspaceManagerContext): HyphaServer {
  const { rpc, info, logger } = ctx;
  const wm = remote as Record<string, any>;
  const workspace = String(info.workspace);
  wm.rpc = rpc;
  wm.config = { ...(wm.config ?? {}), ...info };

  const remoteGetService = wm.getService;
  if (typeof remoteGetService !== 'function') {
    throw new Error('The workspace manager has no get_service method: is this a Hypha server?');
  }
  const remoteListServices = wm.listServices;

  defineHelper(wm, 'registerService', (service, config) => rpc.register_service(service, config), 'Register a service.', {
    type: 'object',
    properties: {
      service: { description: 'The service to register', type: 'object' },
      force: { default: false, description: 'Force to register the service', type: 'boolean' },
    },
    required: ['service'],
  });
  defineHelper(wm, 'unregisterService', (service, notify = true) => rpc.unregister_service(service, notify), 'Unregister a service.', {
    type: 'object',
    properties: {
      service: { description: 'The service id to unregister', type: 'string' },
      notify: { default: true, description: 'Notify the workspace manager', type: 'boolean' },
    },
    required: ['service'],
  });
  const getServiceSchema = remoteGetService.__schema__;
  for (const name of ['getService', 'get_service']) {
    const fn = (query: unknown, config?: Record<string, unknown>) => remoteGetService(query, config ?? {});
    wm[name] = getServiceSchema ? Object.assign(fn, { __schema__: { ...getServiceSchema, name } }) : fn;
  }
  defineHelper(
    wm,
    'export',
    async (api: Record<string, unknown>) => {
      if (!api || typeof api !== 'object') throw new Error('export: api should be an object');
      api.id = 'default';
      api.name = api.name || ctx.name || api.id;
      api.description = api.description || ctx.description;
      await rpc.register_service(api, { overwrite: true });
    },
    'Export the api.',
    { type: 'object', properties: { api: { description: 'The api to export', type: 'object' } }, required: ['api'] },
  );
  defineHelper(
    wm,
    'getApp',
    async (clientId: string = '*') => {
      if (clientId.includes(':')) throw new Error(`getApp: clientId should not contain ':' (got ${clientId})`);
      const full = clientId.includes('/') ? clientId : `${workspace}/${clientId}`;
      if (full.split('/').length !== 2) throw new Error(`getApp: clientId should match workspace/clientId (got ${clientId})`);
      return remoteGetService(`${full}:default`, {});
    },
    'Get the app.',
    { type: 'object', properties: { clientId: { default: '*', description: 'The clientId', type: 'string' } } },
  );
  defineHelper(
    wm,
    'listApps',
    async (ws: string = workspace) => {
      if (ws.includes(':') || ws.includes('/')) throw new Error(`listApps: invalid workspace ${ws}`);
      return remoteListServices({ workspace: ws, service_id: 'default' });
    },
    'List the apps.',
    { type: 'object', properties: { workspace: { default: workspace, description: 'The workspace', type: 'string' } } },
  );
  defineHelper(
    wm,
    'registerProbes',
    async (probes: Record<string, unknown>) => {
      if (!probes || typeof probes !== 'object') throw new Error('registerProbes: probes should be an object');
      Object.assign(probes, {
        id: 'probes',
        name: 'Probes',
        type: 'probes',
        config: { visibility: 'public' },
        description: `Probes Service, visit ${String(info.public_base_url)}/${workspace}/services/probes for the available probes.`,
      });
      return rpc.register_service(probes, { overwrite: true });
    },
    'Register probes service',
    {
      type: 'object',
      properties: { probes: { description: 'The probes to register, e.g. {liveness: fn}', type: 'object' } },
      required: ['probes'],
    },
  );
  defineHelper(wm, 'disconnect', () => rpc.disconnect(), 'Disconnect from the server.', { type: 'object', properties: {}, required: [] });
  defineHelper(wm, 'registerCodec', (codec) => rpc.register_codec(codec), 'Register a codec', {
    type: 'object',
    properties: { codec: { type: 'object', description: 'Codec to register' } },
  });
  defineHelper(wm, 'getServiceSchema', (service: Record<string, any>) => getSchema(service, null, !!service?.config?.require_context), 'Get the service schema.', {
    type: 'object',
    properties: { service: { description: 'The service to extract schema', type: 'object' } },
    required: ['service'],
  });
  defineHelper(wm, 'emit', (data) => rpc.emit(data), 'Emit a message.', {
    type: 'object',
    properties: { data: { description: 'The data to emit', type: 'object' } },
    required: ['data'],
  });
  const eventParams: Params = {
    type: 'object',
    properties: {
      event: { description: 'The event to listen to', type: 'string' },
      handler: { description: 'The handler function', type: 'function' },
    },
    required: ['event', 'handler'],
  };
  defineHelper(wm, 'on', (event, handler) => rpc.on(event, handler), 'Register a message handler.', eventParams);
  defineHelper(wm, 'off', (event, handler) => rpc.off(event, handler), 'Remove a message handler.', eventParams);
  defineHelper(wm, 'once', (event, handler) => rpc.once(event, handler), 'Register a one-time message handler.', eventParams);

  // After a server restart the manager id changes: point every remote method at the new one.
  // `_rtarget` is read at call time, so updating it in place is enough (and idempotent).
  rpc.on('manager_refreshed', () => {
    const latest = ctx.latestInfo();
    const managerId = latest?.manager_id;
    if (!latest || !managerId) return;
    const target = `*/${managerId}`;
    for (const value of Object.values(wm)) {
      const encoded = (value as { __rpc_object__?: { _rtarget?: string } } | null)?.__rpc_object__;
      if (typeof value === 'function' && encoded) encoded._rtarget = target;
    }
    wm.config = { ...wm.config, ...latest };
  });
  rpc.on('force-exit', async (message: { from?: string; reason?: string }) => {
    if (message?.from === `*/${ctx.latestInfo()?.manager_id}`) {
      logger.warn('Server asked this client to exit; disconnecting', { reason: message.reason });
      await rpc.disconnect();
    }
  });
  return wm as HyphaServer;
}
