/**
 * The token refresh interval (seconds) to use once the server says how long a reconnection
 * token lives: at most two thirds of that life time, so a token is renewed before it expires.
 */
export function refreshIntervalFor(interval: number, tokenLifeTime: number | undefined): number {
  if (typeof tokenLifeTime === 'number' && tokenLifeTime > 0 && interval > tokenLifeTime / 1.5) {
    return tokenLifeTime / 1.5;
  }
  return interval;
}
