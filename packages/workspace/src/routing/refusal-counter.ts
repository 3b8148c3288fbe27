/**
 * Counts the frames of one peer the router refuses (no target, forged sender, routing keys in
 * segment 2, ...), issue #10 item 9: the first refusal of a window is logged, later ones are
 * not, and a peer that keeps sending them is cut off instead of filling the log.
 */

/** Close code for a peer cut off for sending too many unroutable frames (policy violation). */
export const UNROUTABLE_CLOSE_CODE = 1008;

export type RefusalVerdict = 'log' | 'quiet' | 'cut-off';

export class RefusalCounter {
  private windowStart = 0;
  private count = 0;

  constructor(
    /** Refusals allowed within one window before the peer is cut off. */
    readonly limit = 100,
    readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one refusal and says what to do about it (`cut-off` once, when the limit is passed). */
  record(): RefusalVerdict {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.count = 0;
    }
    this.count++;
    if (this.count > this.limit) return this.count === this.limit + 1 ? 'cut-off' : 'quiet';
    return this.count === 1 ? 'log' : 'quiet';
  }
}
