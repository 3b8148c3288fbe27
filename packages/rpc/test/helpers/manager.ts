/**
 * A minimal workspace manager for tests: an RPC peer at `*\/<managerId>` with a `default`
 * service that records registrations and subscriptions.
 */
import { RPC, type CallContext, type ServiceInfo } from '../../src/index.js';
import type { TestRouter } from './router.js';
import { captureLogger } from './capture-logger.js';

export function startManager(router: TestRouter, managerId: string) {
  const registered = new Map<string, ServiceInfo>();
  const subscriptions: Array<{ from: string; events: unknown }> = [];
  const rpc = new RPC(router.attach('*', managerId), { client_id: managerId, workspace: '*', logger: captureLogger().logger });
  rpc.add_service({
    id: 'default',
    name: 'Default workspace management service',
    config: { visibility: 'public', require_context: true },
    register_service: (service: ServiceInfo, config: unknown, context: CallContext) => {
      if (!service.id.startsWith(`${context.ws}/`)) throw new Error(`bad service id ${service.id}`);
      registered.set(service.id, service);
    },
    unregister_service: (service_id: string, context: CallContext) => {
      registered.delete(`${context.from}:${service_id}`);
    },
    subscribe: (event_type: unknown, context: CallContext) => {
      subscriptions.push({ from: context.from, events: event_type });
      return true;
    },
    echo: (data: unknown) => data,
  });
  return { rpc, registered, subscriptions, close: () => rpc.close() };
}
