/** Per-repository mutual exclusion, and the server-wide cap on concurrent pack operations. */
import { UnavailableError } from '@hypha/service';

/** A FIFO async mutex. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** The limiter is full for longer than the acquire timeout; the HTTP layer answers 503. */
export class GitBusyError extends UnavailableError {
  constructor(readonly retryAfterSeconds: number) {
    super('Git server busy');
  }
}

/**
 * At most `max` pack operations (upload-pack / receive-pack) at once; a caller that waits longer
 * than `acquireTimeoutMs` gets a {@link GitBusyError}.
 */
export class PackOpLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly max: number,
    readonly acquireTimeoutMs: number,
    readonly retryAfterSeconds = 5,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max concurrent pack operations must be a positive integer, got ${max}`);
  }

  get inUse(): number {
    return this.active;
  }

  /** Waits for a slot; returns its release function. @throws GitBusyError */
  async acquire(): Promise<() => void> {
    if (this.active < this.max) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new GitBusyError(this.retryAfterSeconds));
      }, this.acquireTimeoutMs);
      this.waiting.push(grant);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }
}
