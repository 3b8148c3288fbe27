/** Backoff settings for the reconnection loop (spec §9.2). */
export interface BackoffOptions {
  /** Delay before retry 1, doubled each retry. Default 1000 ms. */
  base_delay_ms: number;
  /** Upper bound of the delay. Default 60000 ms. */
  max_delay_ms: number;
  /** Relative jitter, ± this fraction of the delay. Default 0.1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  base_delay_ms: 1000,
  max_delay_ms: 60_000,
  jitter: 0.1,
};

/**
 * Delay before reconnection attempt `retry + 1`: `min(base·2^retry, max)` ± jitter, never
 * below 100 ms unless the base itself is smaller (tests use small bases).
 *
 * @param random a number in [0, 1); `Math.random()` in production.
 */
export function reconnectDelay(retry: number, options: BackoffOptions, random: number): number {
  const delay = Math.min(options.base_delay_ms * 2 ** retry, options.max_delay_ms);
  const jitter = (random * 2 - 1) * options.jitter * delay;
  const floor = Math.min(100, options.base_delay_ms);
  return Math.max(floor, delay + jitter);
}
