/**
 * `stop_after_inactive`: the sessions this instance started are checked every `checkEveryMs`; one
 * whose last call (on any instance, from the {@link CallMeter}) is older than its limit is stopped.
 */
import type { CallMeter } from './call-meter.js';

interface Watched {
  seconds: number;
  /** Start time, or the last explicit touch. */
  since: number;
}

export class InactivityWatch {
  private readonly watched = new Map<string, Watched>();
  private readonly timer: ReturnType<typeof setInterval>;
  private checking = false;

  constructor(
    private readonly meter: CallMeter,
    private readonly stop: (sessionId: string, reason: string) => Promise<void>,
    private readonly log: (msg: string, extra?: Record<string, unknown>) => void,
    checkEveryMs = 1000,
  ) {
    this.timer = setInterval(() => void this.check(), checkEveryMs);
    this.timer.unref?.();
  }

  watch(sessionId: string, seconds: number): void {
    this.watched.set(sessionId, { seconds, since: Date.now() });
  }

  unwatch(sessionId: string): void {
    this.watched.delete(sessionId);
  }

  /** Activity that is not a routed call (a lazy start reusing the session). */
  touch(sessionId: string): void {
    const w = this.watched.get(sessionId);
    if (w) w.since = Date.now();
  }

  isWatched(sessionId: string): boolean {
    return this.watched.has(sessionId);
  }

  /** Stops every watched session idle for longer than its limit. */
  async check(now = Date.now()): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const [id, w] of [...this.watched]) {
        const lastCall = await this.meter.lastCall(id);
        const last = Math.max(w.since, lastCall ?? 0);
        if (now - last < w.seconds * 1000) continue;
        this.watched.delete(id);
        await this.stop(id, `inactive for ${w.seconds}s`).catch((err: unknown) =>
          this.log('inactive session stop failed', { session: id, error: String(err) }),
        );
      }
    } catch (err) {
      this.log('inactivity check failed', { error: String(err) });
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.watched.clear();
  }
}
