/**
 * A restartable one-shot timer in seconds; the caller-side call timeout that heartbeats reset.
 */
export class Timer {
  #handle: ReturnType<typeof setTimeout> | null = null;
  readonly #timeoutSeconds: number;
  readonly #onExpire: () => void;

  constructor(timeoutSeconds: number, onExpire: () => void) {
    this.#timeoutSeconds = timeoutSeconds;
    this.#onExpire = onExpire;
  }

  get started(): boolean {
    return this.#handle !== null;
  }

  /** Starts the timer, or restarts it if running. */
  start(): void {
    this.reset();
  }

  reset(): void {
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#handle = setTimeout(() => {
      this.#handle = null;
      this.#onExpire();
    }, this.#timeoutSeconds * 1000);
  }

  clear(): void {
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#handle = null;
  }
}
