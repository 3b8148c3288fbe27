/**
 * Files uploaded to `public/s3-storage` with a `ttl`: deleted when it runs out. The schedule lives
 * in this process (a sweep every second); a restart forgets pending deletions.
 */
import type { BlobStore } from '@hypha/storage';

const SWEEP_MS = 1000;

export class S3TtlSweeper {
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: BlobStore,
    private readonly log?: (level: 'error', msg: string, fields: Record<string, unknown>) => void,
  ) {}

  /** Deletes `key` about `seconds` from now (a later call for the same key replaces it). */
  schedule(key: string, seconds: number): void {
    this.due.set(key, Date.now() + seconds * 1000);
    if (!this.timer) {
      this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
      this.timer.unref();
    }
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const [key, at] of this.due) {
      if (at > now) continue;
      this.due.delete(key);
      try {
        await this.store.delete(key);
      } catch (err) {
        this.log?.('error', 'deleting an expired s3-storage file failed', { key, error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (this.due.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
