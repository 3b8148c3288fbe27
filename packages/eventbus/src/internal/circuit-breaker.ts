import { CircuitOpenError } from '../errors.js';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  maxFailures?: number;
  /** How long the circuit stays open before one trial call is let through. @default 5_000 */
  resetTimeoutMs?: number;
  /** Label used in error messages. */
  name: string;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Classic closed → open → half-open breaker. While open, calls fail at once with a
 * `CircuitOpenError` (cause = last backend error); after `resetTimeoutMs` a single trial call is
 * allowed: success closes the circuit, failure opens it again.
 */
export class CircuitBreaker {
  readonly #maxFailures: number;
  readonly #resetTimeoutMs: number;
  readonly #name: string;
  #failures = 0;
  #openedAt = 0;
  #state: CircuitState = 'closed';
  #trialInFlight = false;
  #lastError: unknown;

  constructor(options: CircuitBreakerOptions) {
    this.#maxFailures = options.maxFailures ?? 5;
    this.#resetTimeoutMs = options.resetTimeoutMs ?? 5_000;
    this.#name = options.name;
    if (!(Number.isInteger(this.#maxFailures) && this.#maxFailures > 0)) {
      throw new RangeError(`maxFailures must be a positive integer, got ${options.maxFailures}`);
    }
  }

  get state(): CircuitState {
    return this.#state;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Human-readable reason while open. */
  describe(): string {
    const last = this.#lastError instanceof Error ? this.#lastError.message : String(this.#lastError);
    return `${this.#name} circuit breaker is open after ${this.#failures} consecutive failures (last error: ${last})`;
  }

  /**
   * Run `fn` through the breaker. `isFailure` decides which errors count as backend failures
   * (e.g. a Redis WRONGTYPE reply does not).
   */
  async run<T>(fn: () => Promise<T>, isFailure: (err: unknown) => boolean = () => true): Promise<T> {
    let trial = false;
    if (this.#state !== 'closed') {
      const cooled = Date.now() - this.#openedAt >= this.#resetTimeoutMs;
      if (!cooled || this.#trialInFlight) {
        throw new CircuitOpenError(this.describe(), { cause: this.#lastError });
      }
      this.#state = 'half-open';
      this.#trialInFlight = true;
      trial = true;
    }
    try {
      const result = await fn();
      this.reset();
      return result;
    } catch (err) {
      if (isFailure(err)) this.recordFailure(err);
      else if (trial) this.reset();
      throw err;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  recordFailure(err: unknown): void {
    this.#failures++;
    this.#lastError = err;
    if (this.#state === 'half-open' || this.#failures >= this.#maxFailures) {
      this.#state = 'open';
      this.#openedAt = Date.now();
    }
  }

  /** Close the circuit (a call succeeded or the backend connection came back). */
  reset(): void {
    this.#failures = 0;
    this.#state = 'closed';
    this.#lastError = undefined;
  }
}
