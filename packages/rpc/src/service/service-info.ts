/**
 * Local service objects: normalisation on `add_service` and the service info announced to the
 * workspace manager (spec §8.1–8.2).
 */
import type { LocalService, ServiceApi, ServiceConfig, ServiceInfo } from '../rpc-types.js';
import { RpcError } from '../errors.js';
import type { AnyFunction } from '../utils/any-function.js';

const VISIBILITIES = ['protected', 'public', 'unlisted'] as const;
const INFO_KEYS = new Set(['id', 'config', 'name', 'description', 'type', 'docs', 'app_id', 'service_schema']);

/**
 * Copies `api` into a normalised service (defaults for name/type/config) and validates its
 * config. Class instances contribute their own and prototype methods, bound to the instance.
 */
export function normalizeService(api: ServiceApi | object): LocalService {
  if (!api || typeof api !== 'object' || Array.isArray(api)) {
    throw new RpcError('INVALID_ARGUMENT', 'Invalid service object');
  }
  let service: Record<string, any>;
  const proto = Object.getPrototypeOf(api);
  if (proto === Object.prototype || proto === null) {
    service = { ...api };
  } else {
    service = {};
    const names = new Set([...Object.getOwnPropertyNames(api), ...Object.getOwnPropertyNames(proto)]);
    for (const key of names) {
      if (key === 'constructor') continue;
      const value = (api as Record<string, any>)[key];
      service[key] = typeof value === 'function' ? value.bind(api) : value;
    }
    service.id = service.id || 'default';
  }
  if (typeof service.id !== 'string' || !service.id) {
    throw new RpcError('INVALID_ARGUMENT', 'Service id not found: a service needs a string id');
  }
  if (/[/:@.]/.test(service.id)) {
    throw new RpcError('INVALID_ARGUMENT', `Invalid service id ${service.id}: it must not contain / : @ or .`);
  }
  service.name = service.name || service.id;
  service.type = service.type || 'generic';
  service.config = { ...(service.config ?? {}) };
  validateConfig(service.config);
  return service as LocalService;
}

function validateConfig(config: ServiceConfig): void {
  const visibility = config.visibility ?? 'protected';
  if (!VISIBILITIES.includes(visibility)) {
    throw new RpcError('INVALID_ARGUMENT', `Invalid visibility ${String(visibility)}: expected one of ${VISIBILITIES.join(', ')}`);
  }
  const aw = config.authorized_workspaces;
  if (aw !== undefined) {
    if (visibility !== 'protected') {
      throw new RpcError(
        'INVALID_ARGUMENT',
        `authorized_workspaces can only be set when visibility is 'protected', got visibility='${visibility}'`,
      );
    }
    if (!Array.isArray(aw)) throw new RpcError('INVALID_ARGUMENT', 'authorized_workspaces must be an array of workspace ids');
    for (const ws of aw) {
      if (typeof ws !== 'string') {
        throw new RpcError('INVALID_ARGUMENT', `Each workspace id in authorized_workspaces must be a string, got ${typeof ws}`);
      }
    }
  }
}

type SchemaFn = AnyFunction & { __schema__?: Record<string, any> };

/** Schema of service members (functions, values, nested maps) for `service_schema`. */
export function getSchema(value: unknown, name: string | null, skipContext: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => getSchema(v, null, skipContext));
  if (typeof value === 'function') {
    const fn = value as SchemaFn;
    if (fn.__schema__) {
      const schema = JSON.parse(JSON.stringify(fn.__schema__)) as Record<string, any>;
      if (name) schema.name = name;
      if (skipContext && schema.parameters) {
        delete schema.parameters.properties?.context;
        if (Array.isArray(schema.parameters.required)) {
          schema.parameters.required = schema.parameters.required.filter((r: string) => r !== 'context');
        }
      }
      return { type: 'function', function: schema };
    }
    return { type: 'function', function: { name: name || fn.name || 'function' } };
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = getSchema((value as Record<string, unknown>)[k], k, skipContext);
    return out;
  }
  if (typeof value === 'number') return { type: 'number' };
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (value === null) return { type: 'null' };
  return {};
}

/** The info sent to the manager's `register_service` for a local service. */
export function extractServiceInfo(
  service: LocalService,
  clientId: string,
  workspace: string | null | undefined,
  appId: string,
): ServiceInfo {
  const ws = service.config.workspace || workspace;
  if (!ws) {
    throw new RpcError(
      'INVALID_ARGUMENT',
      'Workspace is not set. Please ensure the connection has a workspace or set local_workspace.',
    );
  }
  const config = { ...service.config, workspace: ws };
  const members: Record<string, unknown> = {};
  for (const key of Object.keys(service)) if (!INFO_KEYS.has(key)) members[key] = service[key];
  return {
    config,
    id: `${ws}/${clientId}:${service.id}`,
    name: service.name || service.id,
    description: (service.description as string | undefined) || '',
    type: service.type || 'generic',
    docs: (service.docs as string | undefined) || null,
    app_id: appId,
    service_schema: getSchema(members, null, !!config.require_context),
  };
}
