/** Timing of the cluster's liveness mechanism. */
export interface ClusterOptions {
  /** How often the heartbeat, the leader lease and (on the leader) the reaper run (default 5000 ms). */
  heartbeatIntervalMs?: number;
  /** Lifetime of a server's liveness record (default 3 × the interval). */
  serverTtlMs?: number;
  /** Lifetime of the leader lease (default 3 × the interval; the reference uses 15 s renewed every 5 s). */
  leaderTtlMs?: number;
  /** Notable events (dead server reaped, state re-announced) and failures; never called on a quiet tick. */
  log?: (level: 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

export interface ResolvedClusterOptions {
  heartbeatIntervalMs: number;
  serverTtlMs: number;
  leaderTtlMs: number;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`cluster option ${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}

export function resolveClusterOptions(o: ClusterOptions): ResolvedClusterOptions {
  const interval = positive('heartbeatIntervalMs', o.heartbeatIntervalMs ?? 5_000);
  const serverTtlMs = positive('serverTtlMs', o.serverTtlMs ?? 3 * interval);
  const leaderTtlMs = positive('leaderTtlMs', o.leaderTtlMs ?? 3 * interval);
  if (serverTtlMs <= interval) throw new RangeError(`cluster option serverTtlMs (${serverTtlMs}) must exceed heartbeatIntervalMs (${interval})`);
  if (leaderTtlMs <= interval) throw new RangeError(`cluster option leaderTtlMs (${leaderTtlMs}) must exceed heartbeatIntervalMs (${interval})`);
  return { heartbeatIntervalMs: interval, serverTtlMs, leaderTtlMs };
}
