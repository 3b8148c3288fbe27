import type { Logger } from './logger.js';

/** Handler of a local event; receives the whole message map (with `ctx` for remote events). */
export type EventHandler = (data: any) => unknown;

/**
 * Event registry with hypha-rpc's `on/off/once/_fire` semantics: `off()` removes all handlers,
 * `off(event)` all of one event, `off(event, handler)` one handler.
 */
export class MessageEmitter {
  #handlers = new Map<string, EventHandler[]>();
  #once = new WeakSet<EventHandler>();
  /** @internal */
  readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  on(event: string, handler: EventHandler): void {
    const list = this.#handlers.get(event);
    if (list) list.push(handler);
    else this.#handlers.set(event, [handler]);
  }

  once(event: string, handler: EventHandler): void {
    this.#once.add(handler);
    this.on(event, handler);
  }

  off(event?: string, handler?: EventHandler): void {
    if (event === undefined) {
      this.#handlers.clear();
    } else if (handler === undefined) {
      this.#handlers.delete(event);
    } else {
      const list = this.#handlers.get(event);
      const idx = list ? list.indexOf(handler) : -1;
      if (idx >= 0) list!.splice(idx, 1);
    }
  }

  /** Resolves with the next `event`'s data, or rejects after `timeoutSeconds`. */
  waitFor(event: string, timeoutSeconds: number): Promise<any> {
    return new Promise((resolve, reject) => {
      const handler: EventHandler = (data) => {
        clearTimeout(timer);
        resolve(data);
      };
      const timer = setTimeout(() => {
        this.off(event, handler);
        reject(new Error(`Timeout waiting for event ${event} (${timeoutSeconds}s)`));
      }, timeoutSeconds * 1000);
      this.once(event, handler);
    });
  }

  /** @returns whether at least one handler was registered for `event`. */
  protected fire(event: string, data?: unknown): boolean {
    const list = this.#handlers.get(event);
    if (!list || list.length === 0) return false;
    // A copy only when there is more than one handler: a `once` handler removes itself.
    for (const handler of list.length === 1 ? list : [...list]) {
      if (this.#once.has(handler)) this.off(event, handler);
      try {
        const result = handler(data);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err: unknown) =>
            this.logger.error(`Handler for event "${event}" failed`, err),
          );
        }
      } catch (err) {
        this.logger.error(`Handler for event "${event}" failed`, err);
      }
    }
    return true;
  }
}
