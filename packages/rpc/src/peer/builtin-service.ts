/**
 * The `built-in` service every peer exposes (spec §6): `ping`, `get_service` and the
 * `message_cache` that receives chunked messages.
 */
import type { RpcInternals } from '../rpc-internals.js';
import type { CallContext, LocalService, ServiceApi } from '../rpc-types.js';
import { createMessageCache } from '../call/message-cache.js';
import { RpcError } from '../errors.js';

/** `built-in.config.api_version`: 3 enables indexed concurrent chunk upload. */
export const API_VERSION = 3;

export function builtinService(rpc: RpcInternals, getLocalService: (id: string, context: CallContext) => LocalService): ServiceApi {
  const cache = createMessageCache(rpc);
  return {
    id: 'built-in',
    type: 'built-in',
    name: `Built-in services for ${rpc.localWorkspace}/${rpc.clientId}`,
    config: { require_context: true, visibility: 'public', api_version: API_VERSION },
    ping: (msg: string, context: CallContext): string => {
      if (msg !== 'ping') throw new RpcError('INVALID_ARGUMENT', `ping expects "ping", got ${String(msg)} from ${context?.from}`);
      return 'pong';
    },
    get_service: (service_id: string, context: CallContext) => getLocalService(service_id, context),
    message_cache: {
      create: (key: string, heartbeat: boolean, overwrite: boolean, context: CallContext) =>
        cache.create(key, heartbeat, overwrite, context),
      append: (key: string, data: Uint8Array, heartbeat: boolean, context: CallContext) =>
        cache.append(key, data, heartbeat, context),
      set: (key: string, index: number, data: Uint8Array, heartbeat: boolean, context: CallContext) =>
        cache.set(key, index, data, heartbeat, context),
      process: (key: string, heartbeat: boolean, context: CallContext) => cache.process(key, heartbeat, context),
      remove: (key: string, context: CallContext) => cache.remove(key, context),
    },
  };
}
