/**
 * Service registrations in the event bus's key-value side, one hash per service under the
 * reference key grammar, so every instance of a cluster resolves the same services.
 * Hash fields: id, name, type, description, docs, app_id, service_schema (JSON), config (JSON);
 * `null` is stored as `__null__` like the reference.
 */
import type { KeyValueStore } from '@hypha/eventbus';
import type { ServiceInfo } from './service-info.js';
import { parseServiceKey, serviceKey, serviceKeyPattern } from './service-key.js';
import type { ServiceKeyParts } from './service-key.js';

const NULL = '__null__';

function enc(value: unknown): string {
  return value === null || value === undefined ? NULL : String(value);
}

function dec(value: string | undefined): string | null {
  return value === undefined || value === NULL ? null : value;
}

function decJson<T>(value: string | undefined): T | null {
  const text = dec(value);
  return text === null ? null : (JSON.parse(text) as T);
}

/** Splits a full service id `<ws>/<cid>:<svc>@<app>` into key parts (app defaults to `*`). */
export function splitFullServiceId(id: string): { workspace: string; clientId: string; serviceId: string; appId: string } {
  const slash = id.indexOf('/');
  const colon = id.indexOf(':', slash);
  if (slash < 0 || colon < 0) throw new Error(`Invalid full service id: ${id}`);
  const tail = id.slice(colon + 1);
  const at = tail.indexOf('@');
  return {
    workspace: id.slice(0, slash),
    clientId: id.slice(slash + 1, colon),
    serviceId: at < 0 ? tail : tail.slice(0, at),
    appId: at < 0 ? '*' : tail.slice(at + 1),
  };
}

/** Told about every write this instance makes (the cluster keeps local clients' registrations). */
export interface RegistryObserver {
  stored(key: string, info: ServiceInfo): void;
  /** May return a promise: `delete` waits for it (the service-search index removes entries here). */
  deleted(keys: string[]): void | Promise<void>;
}

export class ServiceRegistry {
  private readonly observers = new Set<RegistryObserver>();

  constructor(private readonly kv: KeyValueStore) {}

  /** Returns a function that stops the observation. */
  observe(observer: RegistryObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  keyFor(info: ServiceInfo): string {
    const parts = splitFullServiceId(info.id);
    return serviceKey({
      visibility: info.config.visibility ?? 'protected',
      type: info.type,
      workspace: parts.workspace,
      clientId: parts.clientId,
      serviceId: parts.serviceId,
      appId: info.app_id || '*',
    });
  }

  async put(info: ServiceInfo): Promise<string> {
    const key = this.keyFor(info);
    await this.kv.hSet(key, {
      id: info.id,
      name: enc(info.name),
      type: enc(info.type),
      description: enc(info.description),
      docs: enc(info.docs),
      app_id: enc(info.app_id),
      service_schema: info.service_schema == null ? NULL : JSON.stringify(info.service_schema),
      config: JSON.stringify(info.config ?? {}),
    });
    for (const o of this.observers) o.stored(key, info);
    return key;
  }

  async get(key: string): Promise<ServiceInfo | null> {
    const h = await this.kv.hGetAll(key);
    if (!h || !h.id) return null;
    return {
      id: h.id,
      name: dec(h.name) ?? '',
      type: dec(h.type) ?? 'generic',
      description: dec(h.description),
      docs: dec(h.docs),
      app_id: dec(h.app_id) ?? '*',
      service_schema: decJson<Record<string, unknown>>(h.service_schema),
      config: decJson<Record<string, unknown>>(h.config) ?? {},
    };
  }

  /** Keys matching the given parts (omitted parts are wildcards), sorted for stable order. */
  async find(parts: Partial<ServiceKeyParts>): Promise<string[]> {
    const keys = await this.kv.scan(serviceKeyPattern(parts));
    return keys.sort();
  }

  async delete(...keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const removed = await this.kv.del(...keys);
    await Promise.all([...this.observers].map((o) => o.deleted(keys)));
    return removed;
  }

  /** All registrations of one client (`<ws>/<cid>`). */
  async clientKeys(workspace: string, clientId: string): Promise<string[]> {
    return this.find({ workspace, clientId });
  }

  parse(key: string): ServiceKeyParts {
    return parseServiceKey(key);
  }
}
