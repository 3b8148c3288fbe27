/**
 * The local services of a peer (spec §4.6, §6.1): adding them with the access-control
 * annotations of their functions, the visibility rules of `built-in.get_service`, and the
 * `_rintf_` services created for interface objects sent to other peers.
 */
import type { MethodAnnotation } from '../rpc-internals.js';
import type { CallContext, LocalService, RemoteFunction, ServiceApi, ServiceConfig } from '../rpc-types.js';
import { RpcError } from '../errors.js';
import type { ObjectStore } from '../session/object-store.js';
import { normalizeService } from '../service/service-info.js';
import type { AnyFunction } from '../utils/any-function.js';
import { randId } from '../utils/rand-id.js';

export class ServiceRegistry {
  readonly #store: ObjectStore;
  readonly #annotations: WeakMap<AnyFunction, MethodAnnotation>;
  readonly #clientId: string;
  /** Caller id → ids of the `_rintf_` services only that caller may use. */
  readonly #rintfByCaller = new Map<string, Set<string>>();

  constructor(store: ObjectStore, annotations: WeakMap<AnyFunction, MethodAnnotation>, clientId: string) {
    this.#store = store;
    this.#annotations = annotations;
    this.#clientId = clientId;
  }

  /** Services by id (including `built-in`). */
  get services(): Record<string, LocalService> {
    return this.#store.services as Record<string, LocalService>;
  }

  /** Adds a service locally. @returns the normalised service. */
  add(api: ServiceApi | object, overwrite: boolean): LocalService {
    const service = normalizeService(api);
    if (this.services[service.id] && !overwrite) {
      throw new RpcError(
        'INVALID_ARGUMENT',
        `Service already exists: ${service.id}, please specify a different id (not ${service.id}) or overwrite=true`,
      );
    }
    this.#annotate(service, service.id, service.config);
    this.services[service.id] = service;
    return service;
  }

  #annotate(node: any, path: string, config: ServiceConfig): void {
    if (typeof node === 'function') {
      const name = path.split('.')[1] ?? '';
      const rc = config.require_context;
      this.#annotations.set(node, {
        require_context: Array.isArray(rc) ? rc.includes(name) : !!rc,
        method_id: `services.${path}`,
        visibility: config.visibility ?? 'protected',
        authorized_workspaces: config.authorized_workspaces,
        rintf_allowed_caller: config._rintf_allowed_caller ?? null,
      });
      return;
    }
    if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
    for (const key of Object.keys(node)) {
      let value = node[key];
      const remote = typeof value === 'function' ? (value as RemoteFunction).__rpc_object__ : undefined;
      if (remote) {
        // A decoded proxy of one of our own functions: register the original instead.
        const owner = remote._rtarget.includes('/') ? remote._rtarget.split('/')[1] : remote._rtarget;
        if (owner !== this.#clientId) {
          throw new RpcError(
            'INVALID_ARGUMENT',
            `Local method not found: ${remote._rmethod}, client id mismatch ${this.#clientId} != ${owner}`,
          );
        }
        value = node[key] = this.#store.resolve(remote._rmethod);
      }
      this.#annotate(value, `${path}.${key}`, config);
    }
  }

  /** A service as `built-in.get_service` returns it to a caller with `context` (spec §6.1). */
  getLocal(serviceId: string, context: CallContext): LocalService {
    if (!serviceId) throw new RpcError('INVALID_ARGUMENT', 'service_id is required');
    if (!context || typeof context.to !== 'string') throw new RpcError('INVALID_ARGUMENT', 'Context is required');
    const [ws, clientId] = context.to.split('/');
    if (clientId !== this.#clientId) {
      throw new RpcError('PERMISSION_DENIED', `Services can only be accessed locally (to=${context.to})`);
    }
    const service = this.services[serviceId] as LocalService | undefined;
    if (!service) throw new RpcError('METHOD_NOT_FOUND', `Service not found: ${serviceId}`);
    const visibility = service.config.visibility;
    if (visibility === 'public' || visibility === 'unlisted') return service;
    if (context.ws === ws) return service;
    if (service.config.authorized_workspaces?.includes(context.ws as string)) return service;
    throw new RpcError(
      'PERMISSION_DENIED',
      `Permission denied for getting protected service: ${serviceId}, workspace mismatch: ${ws} != ${String(context.ws)}`,
    );
  }

  /** Registers a `_rintf` object's functions as a local-only service; returns its id. */
  addRintf(functions: Record<string, AnyFunction>, allowedCaller: string | null): string {
    const id = `_rintf_${randId()}`;
    const config: ServiceConfig = { visibility: 'protected', _local_only: true };
    if (allowedCaller) config._rintf_allowed_caller = allowedCaller;
    const dispose = (): void => this.#dropRintf(id, allowedCaller);
    this.add({ id, config, ...functions, _dispose: dispose }, true);
    if (allowedCaller) {
      let ids = this.#rintfByCaller.get(allowedCaller);
      if (!ids) this.#rintfByCaller.set(allowedCaller, (ids = new Set()));
      ids.add(id);
    }
    return id;
  }

  #dropRintf(id: string, caller: string | null): void {
    delete this.services[id];
    const ids = caller ? this.#rintfByCaller.get(caller) : undefined;
    if (ids) {
      ids.delete(id);
      if (ids.size === 0) this.#rintfByCaller.delete(caller!);
    }
  }

  /** Forgets which caller a `_rintf_` service belonged to (it is being unregistered). */
  forgetRintf(id: string): void {
    for (const [caller, ids] of this.#rintfByCaller) {
      ids.delete(id);
      if (ids.size === 0) this.#rintfByCaller.delete(caller);
    }
  }

  /** Removes the `_rintf_` services of a caller that went away. @returns how many. */
  dropRintfOf(callerId: string): number {
    let count = 0;
    for (const id of this.#rintfByCaller.get(callerId) ?? []) {
      if (!this.services[id]) continue;
      delete this.services[id];
      count++;
    }
    this.#rintfByCaller.delete(callerId);
    return count;
  }

  /** Removes every service except `built-in`. */
  removeAllButBuiltin(): void {
    for (const id of Object.keys(this.services)) if (id !== 'built-in') delete this.services[id];
  }
}
