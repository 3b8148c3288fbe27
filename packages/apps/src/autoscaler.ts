/**
 * Autoscaling with the reference's `AutoscalingConfig`. Every instance runs the check, only the
 * cluster's leader acts. The apps to look at are found in the shared session store (sessions
 * started with autoscaling on); an instance's load is the calls routed to it in the last minute,
 * counted where calls are routed ({@link CallMeter}), so the figure is the cluster's, not one
 * process's. Above `scale_up_threshold × target_requests_per_instance` (average over instances)
 * one instance is added, below `scale_down_threshold × target` the least-called one is stopped,
 * within `min_instances..max_instances` and after each direction's cooldown (kept in the shared
 * store, so a new leader honours them).
 */
import { InvalidArgumentError } from '@hypha/service';
import type { CallContext } from '@hypha/service';
import type { AppsHost, AppStore } from './apps-host.js';
import type { AppLauncher } from './app-launcher.js';
import type { AppSession } from './session-store.js';

export interface AutoscalingConfig {
  enabled: boolean;
  min_instances: number;
  max_instances: number;
  target_requests_per_instance: number;
  scale_up_threshold: number;
  scale_down_threshold: number;
  /** Seconds. */
  scale_up_cooldown: number;
  /** Seconds. */
  scale_down_cooldown: number;
  [key: string]: unknown;
}

export const AUTOSCALING_DEFAULTS: AutoscalingConfig = {
  enabled: false,
  min_instances: 1,
  max_instances: 10,
  target_load_per_instance: 0.8,
  target_requests_per_instance: 100,
  scale_up_threshold: 0.9,
  scale_down_threshold: 0.3,
  scale_up_cooldown: 300,
  scale_down_cooldown: 600,
  metric_type: 'load',
  custom_metric_function: null,
};

const NUMERIC = ['min_instances', 'max_instances', 'target_load_per_instance', 'target_requests_per_instance', 'scale_up_threshold', 'scale_down_threshold', 'scale_up_cooldown', 'scale_down_cooldown'] as const;
const INTEGER = new Set(['min_instances', 'max_instances', 'target_requests_per_instance', 'scale_up_cooldown', 'scale_down_cooldown']);

/** The errors of an `autoscaling` manifest value, each naming its field. */
export function autoscalingErrors(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return ["Field 'autoscaling' must be an object"];
  const v = value as Record<string, unknown>;
  const errors: string[] = [];
  if (v.enabled !== undefined && typeof v.enabled !== 'boolean') errors.push("Field 'autoscaling.enabled' must be a boolean");
  for (const k of NUMERIC) {
    const x = v[k];
    if (x === undefined) continue;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) errors.push(`Field 'autoscaling.${k}' must be a non-negative number`);
    else if (INTEGER.has(k) && !Number.isInteger(x)) errors.push(`Field 'autoscaling.${k}' must be an integer`);
  }
  const c = { ...AUTOSCALING_DEFAULTS, ...v } as AutoscalingConfig;
  if (errors.length === 0) {
    if (c.min_instances < 1) errors.push("Field 'autoscaling.min_instances' must be at least 1");
    if (c.max_instances < c.min_instances) errors.push(`Field 'autoscaling.max_instances' (${c.max_instances}) must be at least min_instances (${c.min_instances})`);
    if (c.scale_down_threshold >= c.scale_up_threshold) errors.push(`Field 'autoscaling.scale_down_threshold' (${c.scale_down_threshold}) must be below scale_up_threshold (${c.scale_up_threshold})`);
  }
  return errors;
}

/** The config with the reference's defaults; throws naming the bad field. */
export function autoscalingConfig(value: unknown): AutoscalingConfig {
  const errors = autoscalingErrors(value);
  if (errors.length) throw new InvalidArgumentError(`Invalid autoscaling config: ${errors.join('; ')}`);
  return { ...AUTOSCALING_DEFAULTS, ...((value as Record<string, unknown> | null) ?? {}) } as AutoscalingConfig;
}

export type ScaleDecision = { action: 'up' } | { action: 'down'; session: string } | { action: 'none'; reason: string };

const COOLDOWN_KEY = (ws: string, appId: string) => `autoscaling:${ws}/${appId}`;

export class Autoscaler {
  private readonly timer: ReturnType<typeof setInterval>;
  private running = false;

  constructor(
    private readonly host: AppsHost,
    private readonly store: AppStore,
    private readonly launcher: AppLauncher,
    private readonly log: (msg: string, extra?: Record<string, unknown>) => void,
    intervalMs = 10_000,
  ) {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref?.();
  }

  /** One pass over every autoscaled app (leader only). */
  async tick(now = Date.now()): Promise<void> {
    if (this.running || !this.host.isLeader()) return;
    this.running = true;
    try {
      const groups = new Map<string, AppSession[]>();
      for (const s of await this.launcher.sessions.list('*')) {
        if (!s.autoscaling || s.status === 'stopped') continue;
        const key = `${s.workspace}/${s.app_id}`;
        groups.set(key, [...(groups.get(key) ?? []), s]);
      }
      for (const [key, sessions] of groups) {
        const ws = sessions[0]!.workspace;
        const appId = sessions[0]!.app_id;
        await this.scaleApp(ws, appId, sessions, now).catch((err: unknown) =>
          this.log('autoscaling failed', { app: key, error: err instanceof Error ? err.message : String(err) }),
        );
      }
    } finally {
      this.running = false;
    }
  }

  /** What the config says for these instances now (exported for tests and `get_session_info`). */
  async decide(ws: string, appId: string, sessions: AppSession[], config: AutoscalingConfig, now: number): Promise<ScaleDecision> {
    const loads = await Promise.all(sessions.map(async (s) => ({ id: s.id, calls: await this.launcher.meter.callsLastMinute(s.id, now) })));
    const n = loads.length;
    const average = loads.reduce((sum, l) => sum + l.calls, 0) / n;
    const last = await this.host.kv.hGetAll(COOLDOWN_KEY(ws, appId));
    const since = (dir: 'up' | 'down') => now - Number(last[dir] ?? 0);
    if (average > config.scale_up_threshold * config.target_requests_per_instance && n < config.max_instances) {
      if (since('up') <= config.scale_up_cooldown * 1000) return { action: 'none', reason: 'scale-up cooldown' };
      return { action: 'up' };
    }
    if (average < config.scale_down_threshold * config.target_requests_per_instance && n > config.min_instances && n > 1) {
      if (since('down') <= config.scale_down_cooldown * 1000) return { action: 'none', reason: 'scale-down cooldown' };
      const least = loads.reduce((a, b) => (b.calls < a.calls ? b : a));
      return { action: 'down', session: least.id };
    }
    return { action: 'none', reason: `average ${average.toFixed(1)} calls/min per instance is within range` };
  }

  private async scaleApp(ws: string, appId: string, sessions: AppSession[], now: number): Promise<void> {
    const root = this.host.rootContext(ws);
    const artifact = await this.store.read(`${ws}/${appId}`, {}, root);
    const manifest = (artifact.manifest ?? {}) as Record<string, any>;
    const config = autoscalingConfig(manifest.autoscaling);
    if (!config.enabled) return;
    const decision = await this.decide(ws, appId, sessions, config, now);
    if (decision.action === 'up') {
      await this.host.kv.hSet(COOLDOWN_KEY(ws, appId), { up: String(now) });
      const startup = manifest.startup_context as { user?: Record<string, unknown> } | undefined;
      const ctx: CallContext = startup?.user ? { ...root, user: startup.user as unknown as CallContext['user'] } : root;
      const s = await this.launcher.start(appId, { fresh: true }, ctx);
      this.log('autoscaling: started an instance', { app: `${ws}/${appId}`, session: s.id, instances: sessions.length + 1 });
    } else if (decision.action === 'down') {
      await this.host.kv.hSet(COOLDOWN_KEY(ws, appId), { down: String(now) });
      await this.launcher.stopSession(decision.session);
      this.log('autoscaling: stopped an instance', { app: `${ws}/${appId}`, session: decision.session, instances: sessions.length - 1 });
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
