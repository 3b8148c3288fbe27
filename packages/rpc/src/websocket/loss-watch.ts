/**
 * Which sockets or streams were lost, so that a reconnection attempt waiting on work bound to
 * one of them (its `on_connected` handler, the settle period) fails as soon as it is lost
 * instead of waiting for that work to time out.
 */
export class LossWatch<T extends object> {
  readonly #lost = new WeakSet<T>();
  readonly #listeners = new Set<(item: T) => void>();

  /** Record that `item` is gone and fail the attempts waiting on it. */
  markLost(item: T): void {
    this.#lost.add(item);
    for (const listener of [...this.#listeners]) listener(item);
  }

  isLost(item: T): boolean {
    return this.#lost.has(item);
  }

  /**
   * Settles like `work`, unless `item` is lost first: then rejects with `lostError()` and
   * `work` is left to finish; if it later fails, `onStale` gets the error (the work belonged
   * to a lost socket, so its outcome no longer matters to the attempt, but is not hidden).
   */
  unlessLost(item: T, work: Promise<void>, lostError: () => Error, onStale: (error: unknown) => void): Promise<void> {
    if (this.#lost.has(item)) {
      work.catch(onStale);
      return Promise.reject(lostError());
    }
    return new Promise<void>((resolve, reject) => {
      let lost = false;
      const onLost = (gone: T): void => {
        if (gone !== item) return;
        lost = true;
        this.#listeners.delete(onLost);
        reject(lostError());
      };
      this.#listeners.add(onLost);
      work.then(
        () => {
          this.#listeners.delete(onLost);
          resolve();
        },
        (error: unknown) => {
          this.#listeners.delete(onLost);
          if (lost) onStale(error);
          else reject(error);
        },
      );
    });
  }
}
