import type { BusHandler, BusPayload, EventBus, EventBusHealth, SetOptions, Unsubscribe } from './event-bus.js';
import { EventBusError } from './errors.js';
import { HandlerRegistry, logHandlerError, type HandlerErrorReporter } from './internal/handler-registry.js';
import { LocalClients } from './internal/local-clients.js';
import { assertPayload } from './internal/payload.js';
import { MemoryKeyValueStore } from './memory-key-value-store.js';

/** Options of {@link MemoryEventBus}. */
export interface MemoryEventBusOptions {
  /**
   * Receives errors thrown by subscriber handlers (a failing handler never blocks the others).
   * @default one structured JSON line on stderr
   */
  onError?: HandlerErrorReporter;
  /** Key-value store to use. @default a fresh MemoryKeyValueStore */
  store?: MemoryKeyValueStore;
}

/**
 * The embedded (single-process) event bus: every event is delivered synchronously, in emit order,
 * to the `on` handlers of this instance. Payloads are passed by reference: handlers must not
 * mutate them.
 *
 * @example
 * const bus = new MemoryEventBus();
 * bus.on('ws-1/abc:msg', (frame) => socket.send(frame));
 * await bus.emit('ws-1/abc:msg', frame);
 */
export class MemoryEventBus implements EventBus {
  readonly #store: MemoryKeyValueStore;
  readonly #handlers: HandlerRegistry<BusPayload>;
  readonly #local: HandlerRegistry<unknown>;
  readonly #clients = new LocalClients();
  #closed = false;

  constructor(options: MemoryEventBusOptions = {}) {
    const report = options.onError ?? logHandlerError;
    this.#store = options.store ?? new MemoryKeyValueStore();
    this.#handlers = new HandlerRegistry(report);
    this.#local = new HandlerRegistry(report);
  }

  async emit(event: string, data: BusPayload): Promise<void> {
    this.#assertOpen('emit');
    assertPayload(event, data);
    this.#handlers.dispatch(event, data);
  }

  on(event: string, handler: BusHandler): Unsubscribe {
    return this.#handlers.on(event, handler);
  }

  once(event: string, handler: BusHandler): Unsubscribe {
    return this.#handlers.once(event, handler);
  }

  emitLocal(event: string, data: unknown): void {
    this.#local.dispatch(event, data);
  }

  onLocal(event: string, handler: (data: unknown) => void): Unsubscribe {
    return this.#local.on(event, (data) => handler(data));
  }

  async addLocalClient(id: string): Promise<void> {
    this.#assertOpen('addLocalClient');
    this.#clients.add(id);
  }

  async removeLocalClient(id: string): Promise<void> {
    this.#clients.delete(id);
  }

  isLocalClient(id: string): boolean {
    return this.#clients.has(id);
  }

  /** The in-process bus never loses its backend, so handlers are never called. */
  onReconnect(_handler: () => void | Promise<void>): Unsubscribe {
    return () => undefined;
  }

  async health(): Promise<EventBusHealth> {
    return this.#closed ? { healthy: false, reason: 'event bus is closed' } : { healthy: true };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#local.clear();
    this.#clients.clear();
    this.#store.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async get(key: string): Promise<string | null> {
    this.#assertOpen('get');
    return this.#store.get(key);
  }

  async set(key: string, value: string, options?: SetOptions): Promise<boolean> {
    this.#assertOpen('set');
    return this.#store.set(key, value, options);
  }

  async del(...keys: string[]): Promise<number> {
    this.#assertOpen('del');
    return this.#store.del(...keys);
  }

  async hSet(key: string, fields: Record<string, string>): Promise<void> {
    this.#assertOpen('hSet');
    return this.#store.hSet(key, fields);
  }

  async hGet(key: string, field: string): Promise<string | null> {
    this.#assertOpen('hGet');
    return this.#store.hGet(key, field);
  }

  async hGetAll(key: string): Promise<Record<string, string>> {
    this.#assertOpen('hGetAll');
    return this.#store.hGetAll(key);
  }

  async hDel(key: string, ...fields: string[]): Promise<number> {
    this.#assertOpen('hDel');
    return this.#store.hDel(key, ...fields);
  }

  async scan(pattern: string): Promise<string[]> {
    this.#assertOpen('scan');
    return this.#store.scan(pattern);
  }

  #assertOpen(op: string): void {
    if (this.#closed) throw new EventBusError('CLOSED', `Cannot ${op}: the memory event bus is closed`);
  }
}
