/**
 * What a peer does on every (re)connection (spec §8.4, §9.2 step 5): fetch the workspace
 * manager, announce every local service again, subscribe to `client_disconnected`.
 */
import type { LocalService, ServiceInfo, ServicesRegisteredEvent } from '../rpc-types.js';
import type { Logger } from '../utils/logger.js';

/** What the re-registration needs from the peer. */
export interface ReregisterHost {
  readonly logger: Logger;
  readonly methodTimeout: number;
  services(): LocalService[];
  serviceInfo(service: LocalService): ServiceInfo;
  getManager(): Promise<any>;
  fire(event: string, data: unknown): void;
  /** Installs the local `client_disconnected` handler once. */
  onSubscribed(): void;
}

function withTimeout<T>(promise: Promise<T>, seconds: number, message: string): Promise<T> {
  let handle: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    handle = setTimeout(() => reject(new Error(`TimeoutError: ${message} (${seconds}s)`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(handle));
}

/**
 * Runs the registration. Resolves with the counts (also fired as `services_registered`);
 * rejects when the manager cannot be fetched (also fired as `services_registration_failed`).
 */
export async function reregisterServices(host: ReregisterHost): Promise<ServicesRegisteredEvent> {
  let manager: any;
  try {
    manager = await host.getManager();
  } catch (err) {
    host.logger.error(`Failed to get manager service for registering services: ${String(err)}`);
    host.fire('services_registration_failed', { error: String(err), total_services: host.services().length });
    throw err;
  }
  host.fire('manager_refreshed', { manager });
  const services = host.services().filter((s) => !s.config?._local_only);
  const failed: string[] = [];
  let registered = 0;
  for (const service of services) {
    try {
      await withTimeout(
        manager.registerService(host.serviceInfo(service)) as Promise<unknown>,
        host.methodTimeout,
        `Timeout registering service ${service.id}`,
      );
      registered++;
    } catch (err) {
      failed.push(service.id);
      host.logger.error(`Failed to register service ${service.id}: ${String(err)}`);
    }
  }
  const result: ServicesRegisteredEvent = { total: services.length, registered, failed };
  if (failed.length > 0) {
    host.logger.warn(`Only registered ${registered} out of ${services.length} services; failed: ${failed.join(', ')}`);
  }
  host.fire('services_registered', result);
  if (typeof manager.subscribe === 'function') {
    try {
      await withTimeout(
        manager.subscribe(['client_disconnected']) as Promise<unknown>,
        host.methodTimeout,
        'Timeout subscribing to client_disconnected events',
      );
      host.onSubscribed();
    } catch (err) {
      host.logger.warn(`Failed to subscribe to client_disconnected events: ${String(err)}`);
    }
  }
  return result;
}
