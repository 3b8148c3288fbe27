/**
 * `get_remote_service` (spec §6.1): asks a peer's `built-in.get_service` for a service and
 * turns the reply into a {@link RemoteService}, with optional case conversion, keyword-argument
 * expansion and a one-time retry on stale references.
 */
import type { EncodedMethod, GetRemoteServiceConfig, RemoteFunction } from '../rpc-types.js';
import { RpcError, toError } from '../errors.js';
import { RemoteService } from '../encoding/remote-service.js';
import { convertCase } from '../utils/case-convert.js';
import type { Logger } from '../utils/logger.js';
import { waitWithTimeout } from '../utils/wait-with-timeout.js';

/** Errors meaning the service moved (re-registered elsewhere): refresh and retry once. */
const STALE_SERVICE_ERRORS = [
  'Method expired or not found',
  'Session not found',
  'Peer',
  'Method not found',
  'Connection was closed',
  'Connection is closed',
];

/** What the lookup needs from the peer. */
export interface LookupHost {
  readonly clientId: string;
  readonly appId: string;
  readonly managerId: string | null;
  readonly serverBaseUrl: string | null;
  readonly methodTimeout: number;
  readonly logger: Logger;
  makeRemoteMethod(encoded: EncodedMethod): RemoteFunction;
  get_remote_service(uri: string, config?: GetRemoteServiceConfig): Promise<RemoteService>;
}

/**
 * Fetches a service from another peer: `"<peer>:<service>"` (peer relative to our workspace or
 * absolute `<ws>/<client>`); a bare id means a service of this peer.
 */
export async function fetchRemoteService(host: LookupHost, serviceUri: string, config: GetRemoteServiceConfig): Promise<RemoteService> {
  const timeout = config.timeout ?? host.methodTimeout;
  let uri = serviceUri;
  if (!uri && host.managerId) uri = `*/${host.managerId}:default`;
  if (!uri) throw new RpcError('INVALID_ARGUMENT', 'service_uri is required');
  if (!uri.includes(':')) uri = `${host.clientId}:${uri}`;
  const provider = uri.split(':')[0]!;
  let serviceId = uri.split(':')[1]!;
  if (serviceId.includes('@')) {
    const appId = uri.split('@')[1];
    serviceId = serviceId.split('@')[0]!;
    if (host.appId !== '*' && appId !== host.appId) {
      throw new RpcError('INVALID_ARGUMENT', `Invalid app id: ${appId} != ${host.appId}`);
    }
  }
  if (!provider || !serviceId) throw new RpcError('INVALID_ARGUMENT', `Invalid service uri: ${serviceUri}`);
  const getService = host.makeRemoteMethod({
    _rtype: 'method',
    _rserver: host.serverBaseUrl,
    _rtarget: provider,
    _rmethod: 'services.built-in.get_service',
    _rpromise: true,
    _rdoc: 'Get a remote service',
  });
  const raw = await waitWithTimeout(
    getService(serviceId),
    timeout,
    `Timeout Error: Failed to get remote service: ${uri} (no reply within ${timeout}s)`,
  );
  if (!raw || typeof raw !== 'object') {
    throw new RpcError('DECODE_FAILED', `Invalid service returned for ${uri}: ${typeof raw}`);
  }
  let svc: Record<string, any> = raw;
  svc.id = `${provider}:${serviceId}`;
  if (config.kwargs_expansion) svc = expandKwargs(svc);
  if (config.case_conversion) svc = convertCase(svc, config.case_conversion);
  const result = Object.assign(new RemoteService(), svc);
  if (!config._no_retry) wrapWithRetry(host, result, uri, config);
  return result;
}

/** Stale references (service re-registered elsewhere) are refreshed once and retried. */
function wrapWithRetry(host: LookupHost, svc: RemoteService, uri: string, config: GetRemoteServiceConfig): void {
  for (const key of Object.keys(svc)) {
    const original = svc[key] as RemoteFunction;
    if (typeof original !== 'function') continue;
    const retrying = (async (...args: unknown[]) => {
      try {
        return await original(...args);
      } catch (err) {
        const msg = toError(err).message;
        if (!STALE_SERVICE_ERRORS.some((p) => msg.includes(p))) throw err;
        host.logger.info(`Stale service error on ${uri}:${key}, refreshing and retrying: ${msg}`);
        const fresh = await host.get_remote_service(uri, { ...config, _no_retry: true });
        if (typeof fresh[key] !== 'function') throw err;
        return await fresh[key](...args);
      }
    }) as RemoteFunction;
    retrying.__rpc_object__ = original.__rpc_object__;
    retrying.__name__ = original.__name__ ?? key;
    retrying.__doc__ = original.__doc__;
    retrying.__schema__ = original.__schema__;
    svc[key] = retrying;
  }
}

/** Makes `f(a, {k: v})` send `{k: v}` as keyword arguments (`with_kwargs`, spec §4.7). */
function expandKwargs(obj: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = Array.isArray(obj) ? [] : {};
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (typeof value === 'function') {
      const fn = (...args: unknown[]) => {
        const last = args[args.length - 1];
        if (last && typeof last === 'object' && !Array.isArray(last) && !(last instanceof Uint8Array)) {
          return value(...args.slice(0, -1), { ...last, _rkwargs: true });
        }
        return value(...args);
      };
      Object.assign(fn, value, { __name__: key });
      out[key] = fn;
    } else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
      out[key] = expandKwargs(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}
