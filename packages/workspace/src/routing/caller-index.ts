/**
 * Which peers recently sent calls (frames with a `session`) to which targets, so that when a
 * target is known to be gone (it left, or the cluster declared its server dead) the callers still
 * waiting on it can be told at once instead of waiting for their own timeout (issue #10 item 10).
 *
 * Each caller remembers at most `perCaller` targets (the oldest is forgotten first), so a peer
 * that calls many targets costs a bounded amount of memory.
 */
export class CallerIndex<C> {
  /** target → callers that sent it a call. */
  private readonly byTarget = new Map<string, Set<C>>();
  /** caller → its targets, oldest first. */
  private readonly byCaller = new Map<C, Set<string>>();

  constructor(private readonly perCaller = 256) {}

  /** Records that `caller` sent a call to `target`. */
  note(caller: C, target: string): void {
    let targets = this.byCaller.get(caller);
    if (targets === undefined) {
      targets = new Set();
      this.byCaller.set(caller, targets);
    } else if (targets.has(target)) {
      // Most recent last: forget the least recently called target first.
      targets.delete(target);
      targets.add(target);
      return;
    }
    targets.add(target);
    let callers = this.byTarget.get(target);
    if (callers === undefined) {
      callers = new Set();
      this.byTarget.set(target, callers);
    }
    callers.add(caller);
    if (targets.size > this.perCaller) {
      const oldest = targets.values().next().value as string;
      targets.delete(oldest);
      this.unlink(oldest, caller);
    }
  }

  /** The callers of `target`, forgetting them (the target is gone). */
  take(target: string): C[] {
    const callers = this.byTarget.get(target);
    if (callers === undefined) return [];
    this.byTarget.delete(target);
    for (const caller of callers) this.byCaller.get(caller)?.delete(target);
    return [...callers];
  }

  /** Forgets a caller (it detached). */
  forget(caller: C): void {
    const targets = this.byCaller.get(caller);
    if (targets === undefined) return;
    this.byCaller.delete(caller);
    for (const target of targets) this.unlink(target, caller);
  }

  /** Number of targets with waiting callers (diagnostics and tests). */
  get size(): number {
    return this.byTarget.size;
  }

  private unlink(target: string, caller: C): void {
    const callers = this.byTarget.get(target);
    if (callers === undefined) return;
    callers.delete(caller);
    if (callers.size === 0) this.byTarget.delete(target);
  }
}
