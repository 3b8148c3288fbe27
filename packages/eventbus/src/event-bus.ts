/**
 * The event bus contract shared by the in-memory (embedded) and Redis (cluster) implementations.
 *
 * Messaging follows the reference server (server-api §8.1):
 * - `emit("<ws>/<client>:msg", frame)` is a *targeted* message. When the client is local to this
 *   instance (see `addLocalClient`) it is delivered in-process; otherwise it is published on
 *   `targeted:<event>` and only the instance holding that client receives it.
 * - any other event is a *broadcast*: delivered locally and published on `broadcast:<event>`.
 * - payloads are raw bytes (msgpack frames), strings, or JSON objects.
 *
 * The key-value side holds the service registry and workspace records, so every instance of a
 * cluster resolves the same services.
 */
export type BusPayload = Uint8Array | string | Record<string, unknown> | unknown[];

export type BusHandler = (data: BusPayload, event: string) => void;

/** Unsubscribe function returned by every subscription. */
export type Unsubscribe = () => void;

export interface SetOptions {
  /** Expire the key after this many milliseconds. */
  ttlMs?: number;
  /** Only set when the key does not exist yet (returns false when it did). */
  onlyIfAbsent?: boolean;
}

export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Returns false only when `onlyIfAbsent` was requested and the key already existed. */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** Deletes keys; returns how many existed. */
  del(...keys: string[]): Promise<number>;
  hSet(key: string, fields: Record<string, string>): Promise<void>;
  hGet(key: string, field: string): Promise<string | null>;
  hGetAll(key: string): Promise<Record<string, string>>;
  hDel(key: string, ...fields: string[]): Promise<number>;
  /** All keys matching a Redis glob pattern (`*`, `?`, `[...]`, `\` escapes). Uses SCAN, never KEYS. */
  scan(pattern: string): Promise<string[]>;
}

export interface EventBusHealth {
  healthy: boolean;
  /** Human-readable reason when unhealthy (e.g. "circuit breaker open"). */
  reason?: string;
}

export interface EventBus extends KeyValueStore {
  /** Publish an event to every subscriber on every instance (see class doc for routing rules). */
  emit(event: string, data: BusPayload): Promise<void>;
  /** Subscribe to an exact event name. */
  on(event: string, handler: BusHandler): Unsubscribe;
  /** Subscribe once. */
  once(event: string, handler: BusHandler): Unsubscribe;
  /** Instance-local events (never leave the process): startup, client_connected, ... */
  emitLocal(event: string, data: unknown): void;
  onLocal(event: string, handler: (data: unknown) => void): Unsubscribe;
  /**
   * Mark `<ws>/<client>` as held by this instance: targeted messages for it are delivered here.
   * The id may use `*` as workspace (the manager: `*\/manager-<sid>`), which matches any workspace.
   */
  addLocalClient(id: string): Promise<void>;
  removeLocalClient(id: string): Promise<void>;
  isLocalClient(id: string): boolean;
  /**
   * Called after the bus reconnected to its backend (e.g. Redis restarted), so owners can
   * re-announce state the backend lost (service registrations of live clients).
   */
  onReconnect(handler: () => void | Promise<void>): Unsubscribe;
  health(): Promise<EventBusHealth>;
  close(): Promise<void>;
}
