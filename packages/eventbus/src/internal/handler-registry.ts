import type { Unsubscribe } from '../event-bus.js';

/** A subscriber; may return a promise, whose rejection is reported like a throw. */
export type Handler<T> = (data: T, event: string) => unknown;

/** Receives errors thrown (or rejected) by subscriber handlers. */
export type HandlerErrorReporter = (error: unknown, event: string) => void;

/**
 * Exact-name handler table shared by the bus implementations. A throwing handler never stops
 * delivery to the others; its error goes to the reporter (the bus `onError` option).
 */
export class HandlerRegistry<T> {
  readonly #handlers = new Map<string, Set<Handler<T>>>();
  readonly #report: HandlerErrorReporter;

  constructor(report: HandlerErrorReporter) {
    this.#report = report;
  }

  on(event: string, handler: Handler<T>): Unsubscribe {
    let set = this.#handlers.get(event);
    if (!set) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    // Wrap so the same function can be registered twice and removed independently.
    const entry: Handler<T> = (data, name) => handler(data, name);
    set.add(entry);
    return () => {
      const current = this.#handlers.get(event);
      if (!current) return;
      current.delete(entry);
      if (current.size === 0) this.#handlers.delete(event);
    };
  }

  once(event: string, handler: Handler<T>): Unsubscribe {
    const off = this.on(event, (data, name) => {
      off();
      return handler(data, name);
    });
    return off;
  }

  has(event: string): boolean {
    return this.#handlers.has(event);
  }

  /** Deliver to every handler of `event`; returns how many handlers ran. */
  dispatch(event: string, data: T): number {
    const set = this.#handlers.get(event);
    if (!set) return 0;
    let count = 0;
    for (const handler of [...set]) {
      count++;
      try {
        const result: unknown = handler(data, event);
        if (result instanceof Promise) result.catch((err: unknown) => this.#report(err, event));
      } catch (err) {
        this.#report(err, event);
      }
    }
    return count;
  }

  clear(): void {
    this.#handlers.clear();
  }
}

/** Default reporter: one structured line on stderr per failing handler. */
export const logHandlerError: HandlerErrorReporter = (error, event) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(JSON.stringify({ level: 'error', pkg: '@hypha/eventbus', msg: 'event handler failed', event, error: message }));
};
