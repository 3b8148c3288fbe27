/**
 * Counts the calls routed to app clients (`<ws>/_rapp_…`), for inactivity stops and autoscaling.
 * Each instance counts the calls it routes in memory and writes them once a second to the shared
 * key-value store (`app_calls:<session>`: one field per instance and 10-second bucket, plus
 * `last:<instance>`), so every instance of a cluster sees the same last activity and load.
 */
import type { KeyValueStore } from '@hypha/eventbus';

const BUCKET_MS = 10_000;
const WINDOW_MS = 60_000;
const KEY = (sessionId: string) => `app_calls:${sessionId}`;

interface Pending {
  buckets: Map<number, number>;
  last: number;
}

/** Whether `<ws>/<client>` is an app session's client (the reference's `_rapp_` prefix). */
export function isAppClient(target: string): boolean {
  const slash = target.indexOf('/');
  return slash > 0 && target.startsWith('_rapp_', slash + 1);
}

/**
 * Whether a method frame calls one of the app's services (`services.<svc>.<fn>`): not a callback
 * or promise result sent to the app (`<session>.resolve`), and not the client's `built-in`
 * service (the server reading its service list).
 */
export function isServiceCall(method: string | undefined): boolean {
  return method !== undefined && method.startsWith('services.') && !method.startsWith('services.built-in.');
}

export class CallMeter {
  /** This instance's counts per session and bucket (kept for the window, written when dirty). */
  private readonly counts = new Map<string, Pending>();
  private readonly dirty = new Set<string>();
  private readonly timer: ReturnType<typeof setInterval>;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly serverId: string,
    private readonly onError: (msg: string, err: unknown) => void,
    flushEveryMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref?.();
  }

  /**
   * One frame of type `method` routed to `target`: counted when `target` is an app client and
   * the frame calls one of its services ({@link isServiceCall}).
   */
  record(target: string, method: string | undefined, now = Date.now()): void {
    if (!isAppClient(target) || !isServiceCall(method)) return;
    let p = this.counts.get(target);
    if (!p) {
      p = { buckets: new Map(), last: now };
      this.counts.set(target, p);
    }
    const b = Math.floor(now / BUCKET_MS);
    p.buckets.set(b, (p.buckets.get(b) ?? 0) + 1);
    p.last = now;
    this.dirty.add(target);
  }

  /** Writes this instance's pending counts to the shared store. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.write().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    const now = Date.now();
    const oldest = Math.floor((now - WINDOW_MS) / BUCKET_MS);
    for (const id of [...this.dirty]) {
      this.dirty.delete(id);
      const p = this.counts.get(id);
      if (!p) continue;
      const fields: Record<string, string> = { [`last:${this.serverId}`]: String(p.last) };
      const stale: string[] = [];
      for (const [b, n] of p.buckets) {
        if (b < oldest) {
          p.buckets.delete(b);
          stale.push(`${this.serverId}:${b}`);
        } else {
          fields[`${this.serverId}:${b}`] = String(n);
        }
      }
      try {
        await this.kv.hSet(KEY(id), fields);
        if (stale.length) await this.kv.hDel(KEY(id), ...stale);
      } catch (err) {
        this.dirty.add(id);
        this.onError(`could not write the call counts of ${id}`, err);
      }
    }
  }

  /** When `sessionId` was last called on any instance (ms), or null if never. */
  async lastCall(sessionId: string): Promise<number | null> {
    let last = this.counts.get(sessionId)?.last ?? null;
    const all = await this.kv.hGetAll(KEY(sessionId));
    for (const [field, value] of Object.entries(all)) {
      if (field.startsWith('last:')) last = Math.max(last ?? 0, Number(value));
    }
    return last;
  }

  /** Calls to `sessionId` in the last minute, over all instances. */
  async callsLastMinute(sessionId: string, now = Date.now()): Promise<number> {
    const oldest = Math.floor((now - WINDOW_MS) / BUCKET_MS);
    const perField = new Map<string, number>();
    for (const [field, value] of Object.entries(await this.kv.hGetAll(KEY(sessionId)))) {
      if (field.startsWith('last:')) continue;
      const b = Number(field.slice(field.lastIndexOf(':') + 1));
      if (b > oldest) perField.set(field, Number(value));
    }
    // This instance's unwritten counts are newer than what the store holds.
    for (const [b, n] of this.counts.get(sessionId)?.buckets ?? []) {
      if (b > oldest) perField.set(`${this.serverId}:${b}`, n);
    }
    let total = 0;
    for (const n of perField.values()) total += n;
    return total;
  }

  /** Forgets a stopped session. */
  async forget(sessionId: string): Promise<void> {
    this.counts.delete(sessionId);
    this.dirty.delete(sessionId);
    await this.kv.del(KEY(sessionId));
  }

  close(): void {
    clearInterval(this.timer);
  }
}
