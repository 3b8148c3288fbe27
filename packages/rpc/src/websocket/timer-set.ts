/**
 * The timers of one connection: keep-alive/refresh timers that `clear()` stops on every drop,
 * and backoff sleeps that only `wake()` ends early (on `disconnect()`), so clearing keep-alive
 * timers can never strand a sleeping reconnection loop.
 */
export class TimerSet {
  #timeouts = new Set<ReturnType<typeof setTimeout>>();
  #intervals = new Set<ReturnType<typeof setInterval>>();
  #sleepers = new Set<() => void>();

  /** Run `fn` once after `ms`, unless cleared first. */
  timeout(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timeouts.delete(timer);
      fn();
    }, ms);
    this.#timeouts.add(timer);
  }

  /** Run `fn` every `ms` until cleared. */
  interval(fn: () => void, ms: number): void {
    this.#intervals.add(setInterval(fn, ms));
  }

  /** Stop every timeout and interval (not the sleeps). */
  clear(): void {
    for (const timer of this.#timeouts) clearTimeout(timer);
    for (const interval of this.#intervals) clearInterval(interval);
    this.#timeouts.clear();
    this.#intervals.clear();
  }

  /** Resolve after `ms`, or as soon as {@link wake} is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#sleepers.add(done);
    });
  }

  /** End every pending sleep now. */
  wake(): void {
    for (const done of [...this.#sleepers]) done();
  }
}
