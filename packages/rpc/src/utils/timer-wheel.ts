/**
 * One timer for many deadlines: call timeouts and callee heartbeats are entries in a set, and a
 * single `setTimeout`, armed for the earliest deadline, fires the due ones. Adding, resetting and
 * removing an entry touch no platform timer in the common case (every call has the same
 * timeout, so a new deadline is never earlier than the armed one).
 *
 * While entries are pending the timer keeps a Node process alive, as a plain `setTimeout` per
 * entry would; when none are pending it is unreferenced.
 */

/** A deadline in the wheel. */
export interface WheelEntry {
  /** Epoch milliseconds at which {@link WheelEntry.fire} runs. */
  due: number;
  fire(): void;
}

type Handle = ReturnType<typeof setTimeout> & { ref?: () => unknown; unref?: () => unknown };

export class TimerWheel {
  readonly #entries = new Set<WheelEntry>();
  #handle: Handle | null = null;
  /** When the armed timer fires (epoch ms). */
  #armedFor = Infinity;
  #referenced = false;
  readonly #onError: (error: unknown) => void;

  /** @param onError receives exceptions thrown by entries (the other entries still fire). */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Number of pending entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** Adds (or re-adds) `entry` with its current `due`. */
  add(entry: WheelEntry): void {
    this.#entries.add(entry);
    if (!this.#referenced) {
      this.#referenced = true;
      this.#handle?.ref?.();
    }
    if (entry.due < this.#armedFor) this.#arm(entry.due);
  }

  remove(entry: WheelEntry): void {
    if (!this.#entries.delete(entry)) return;
    if (this.#entries.size === 0 && this.#referenced) {
      this.#referenced = false;
      this.#handle?.unref?.();
    }
  }

  has(entry: WheelEntry): boolean {
    return this.#entries.has(entry);
  }

  /** Drops every entry and the timer. */
  clear(): void {
    this.#entries.clear();
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#handle = null;
    this.#armedFor = Infinity;
    this.#referenced = false;
  }

  #arm(due: number): void {
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#armedFor = due;
    this.#handle = setTimeout(() => this.#tick(), Math.max(0, due - Date.now())) as Handle;
    if (!this.#referenced) this.#handle.unref?.();
  }

  #tick(): void {
    this.#handle = null;
    this.#armedFor = Infinity;
    const now = Date.now();
    const due: WheelEntry[] = [];
    let next = Infinity;
    for (const entry of this.#entries) {
      if (entry.due <= now) due.push(entry);
      else if (entry.due < next) next = entry.due;
    }
    for (const entry of due) {
      this.remove(entry);
      try {
        entry.fire();
      } catch (err) {
        this.#onError(err);
      }
    }
    // Entries added by the handlers above armed the timer themselves if they are earlier.
    if (next < this.#armedFor && this.#entries.size > 0) this.#arm(next);
    if (this.#entries.size === 0 && this.#referenced) {
      this.#referenced = false;
      (this.#handle as Handle | null)?.unref?.();
    }
  }
}
