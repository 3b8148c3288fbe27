import type { KeyValueStore, SetOptions } from './event-bus.js';
import { EventBusError } from './errors.js';
import { globToRegExp } from './internal/glob.js';

type Entry = { kind: 'string'; value: string } | { kind: 'hash'; value: Map<string, string> };

/**
 * In-process `KeyValueStore` with Redis semantics: TTLs (lazy expiry), `onlyIfAbsent`, hashes,
 * glob `scan`, and WRONGTYPE errors when a string key is used as a hash or the reverse.
 *
 * @example
 * const kv = new MemoryKeyValueStore();
 * await kv.set('login_key:abc', '', { ttlMs: 180_000 });
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #data = new Map<string, Entry>();
  readonly #expiresAt = new Map<string, number>();
  #writes = 0;

  async get(key: string): Promise<string | null> {
    const entry = this.#read(key);
    if (!entry) return null;
    if (entry.kind !== 'string') throw wrongType(key, 'get');
    return entry.value;
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    if (options.ttlMs !== undefined && !(Number.isFinite(options.ttlMs) && options.ttlMs > 0)) {
      throw new EventBusError('INVALID_ARGUMENT', `Invalid ttlMs ${options.ttlMs} for key '${key}': must be a positive number`);
    }
    if (options.onlyIfAbsent && this.#read(key)) return false;
    this.#data.set(key, { kind: 'string', value });
    if (options.ttlMs !== undefined) this.#expiresAt.set(key, Date.now() + options.ttlMs);
    else this.#expiresAt.delete(key);
    this.#maybeSweep();
    return true;
  }

  async del(...keys: string[]): Promise<number> {
    let count = 0;
    for (const key of keys) {
      if (this.#read(key)) {
        this.#data.delete(key);
        this.#expiresAt.delete(key);
        count++;
      }
    }
    return count;
  }

  async hSet(key: string, fields: Record<string, string>): Promise<void> {
    const entry = this.#read(key);
    if (entry && entry.kind !== 'hash') throw wrongType(key, 'hSet');
    const hash = entry?.value ?? new Map<string, string>();
    for (const [field, value] of Object.entries(fields)) hash.set(field, value);
    if (!entry && hash.size > 0) this.#data.set(key, { kind: 'hash', value: hash });
    this.#maybeSweep();
  }

  async hGet(key: string, field: string): Promise<string | null> {
    return this.#hash(key, 'hGet')?.get(field) ?? null;
  }

  async hGetAll(key: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.#hash(key, 'hGetAll') ?? []);
  }

  async hDel(key: string, ...fields: string[]): Promise<number> {
    const hash = this.#hash(key, 'hDel');
    if (!hash) return 0;
    let count = 0;
    for (const field of fields) if (hash.delete(field)) count++;
    // Redis removes a hash once its last field is gone.
    if (hash.size === 0) {
      this.#data.delete(key);
      this.#expiresAt.delete(key);
    }
    return count;
  }

  async scan(pattern: string): Promise<string[]> {
    const re = globToRegExp(pattern);
    const out: string[] = [];
    for (const key of [...this.#data.keys()]) {
      if (this.#read(key) && re.test(key)) out.push(key);
    }
    return out;
  }

  /** Drop every key (used by `close()` of the memory bus). */
  clear(): void {
    this.#data.clear();
    this.#expiresAt.clear();
  }

  #hash(key: string, op: string): Map<string, string> | undefined {
    const entry = this.#read(key);
    if (!entry) return undefined;
    if (entry.kind !== 'hash') throw wrongType(key, op);
    return entry.value;
  }

  #read(key: string): Entry | undefined {
    const expires = this.#expiresAt.get(key);
    if (expires !== undefined && expires <= Date.now()) {
      this.#data.delete(key);
      this.#expiresAt.delete(key);
      return undefined;
    }
    return this.#data.get(key);
  }

  #maybeSweep(): void {
    // Expired keys that are never read again would otherwise stay in memory forever.
    if (++this.#writes % 1000 !== 0) return;
    const now = Date.now();
    for (const [key, expires] of this.#expiresAt) {
      if (expires <= now) {
        this.#data.delete(key);
        this.#expiresAt.delete(key);
      }
    }
  }
}

function wrongType(key: string, op: string): EventBusError {
  return new EventBusError('INVALID_ARGUMENT', `WRONGTYPE: ${op} on key '${key}' holding the wrong kind of value`);
}
