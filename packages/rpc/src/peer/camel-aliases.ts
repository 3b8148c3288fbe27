/**
 * camelCase names of the RPC peer's snake_case methods (hypha-rpc offers both spellings).
 * The RPC class declares them through {@link CamelCaseMethods} and installs them with
 * {@link installCamelCaseAliases}.
 */
import type { RemoteService } from '../encoding/remote-service.js';
import type {
  CallContext,
  Codec,
  GetRemoteServiceConfig,
  LocalService,
  RegisterServiceConfig,
  ServiceApi,
  ServiceInfo,
  ServicesRegisteredEvent,
} from '../rpc-types.js';

/** The camelCase methods; each calls its snake_case original with the same arguments. */
export interface CamelCaseMethods {
  registerService(api: ServiceApi | object, config?: RegisterServiceConfig): Promise<ServiceInfo>;
  unregisterService(service: string | { id: string }, notify?: boolean): Promise<void>;
  addService(api: ServiceApi | object, overwrite?: boolean): LocalService;
  getLocalService(serviceId: string, context: CallContext): LocalService;
  getAllLocalServices(): Record<string, LocalService>;
  getRemoteService(uri: string, config?: GetRemoteServiceConfig): Promise<RemoteService>;
  getManagerService(config?: GetRemoteServiceConfig, maxRetries?: number): Promise<RemoteService>;
  registerCodec(config: Codec): void;
  getClientInfo(): { id: string; services: ServiceInfo[] };
  rejectPendingCalls(reason?: string): number;
  waitForServicesRegistered(): Promise<ServicesRegisteredEvent | null>;
  getSessionStats(): { total_sessions: number; pending_calls: number; session_ids: string[] };
}

/** camelCase name → snake_case method it stands for. */
const ALIASES: Record<keyof CamelCaseMethods, string> = {
  registerService: 'register_service',
  unregisterService: 'unregister_service',
  addService: 'add_service',
  getLocalService: 'get_local_service',
  getAllLocalServices: 'get_all_local_services',
  getRemoteService: 'get_remote_service',
  getManagerService: 'get_manager_service',
  registerCodec: 'register_codec',
  getClientInfo: 'get_client_info',
  rejectPendingCalls: 'reject_pending_calls',
  waitForServicesRegistered: 'wait_for_services_registered',
  getSessionStats: 'get_session_stats',
};

/** Defines each alias on `prototype` (non-enumerable, like class methods). */
export function installCamelCaseAliases(prototype: object): void {
  for (const [camel, snake] of Object.entries(ALIASES)) {
    Object.defineProperty(prototype, camel, {
      value: function (this: Record<string, (...args: unknown[]) => unknown>, ...args: unknown[]) {
        return this[snake]!(...args);
      },
      writable: true,
      configurable: true,
    });
  }
}
