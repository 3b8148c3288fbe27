/**
 * Remembers clients that left this instance recently (rpc-protocol §3.6): calls addressed to them
 * fail fast instead of waiting for a timeout. Entries expire after `ttlMs` and are cleared when the
 * client reconnects.
 */
export class RecentlyDisconnected {
  private readonly entries = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  add(id: string): void {
    this.entries.set(id, Date.now() + this.ttlMs);
    if (this.entries.size > 10_000) this.sweep();
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  has(id: string): boolean {
    const expiry = this.entries.get(id);
    if (expiry === undefined) return false;
    if (expiry < Date.now()) {
      this.entries.delete(id);
      return false;
    }
    return true;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, expiry] of this.entries) if (expiry < now) this.entries.delete(id);
  }
}
