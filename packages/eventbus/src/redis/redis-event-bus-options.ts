import type { HandlerErrorReporter } from '../internal/handler-registry.js';

/** A structured log sink; the bus logs only connection trouble and recovery. */
export type BusLogger = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>) => void;

/** Options of {@link RedisEventBus.connect}. */
export interface RedisEventBusOptions {
  /** Redis URL. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /**
   * Prepended to every key and pub/sub channel, so several deployments (or test runs) can share
   * one Redis. Leave empty to share keys and channels with reference (Python) servers.
   * @default ''
   */
  keyPrefix?: string;
  /**
   * CLIENT SETNAME of the command connection; the subscriber connection gets `<name>-sub`.
   * @default 'hypha-eventbus'
   */
  clientName?: string;
  /** Consecutive backend failures that open the circuit breaker. @default 5 */
  maxFailures?: number;
  /** How long the breaker stays open before a trial call. @default 5_000 */
  circuitResetMs?: number;
  /** Per-command timeout. @default 5_000 */
  commandTimeoutMs?: number;
  /** First reconnection delay; doubles on every failed attempt. @default 100 */
  reconnectMinDelayMs?: number;
  /** Upper bound of the reconnection delay. @default 5_000 */
  reconnectMaxDelayMs?: number;
  /** How long `connect()` waits for the first connection. @default 10_000 */
  connectTimeoutMs?: number;
  /** Timeout of the pub/sub round trip done by `health()`. @default 2_000 */
  healthTimeoutMs?: number;
  /** Receives errors thrown by subscriber and reconnect handlers. @default JSON line on stderr */
  onError?: HandlerErrorReporter;
  /** Connection log sink. @default JSON lines on stderr for warn and error */
  logger?: BusLogger;
}

export const defaultBusLogger: BusLogger = (level, msg, fields) => {
  if (level === 'info') return;
  console.error(JSON.stringify({ level, pkg: '@hypha/eventbus', msg, ...fields }));
};
