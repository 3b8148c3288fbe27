/**
 * A restartable one-shot timer in seconds; the caller-side call timeout that heartbeats reset.
 * It is an entry of a shared {@link TimerWheel}, so starting and resetting it is cheap.
 */
import type { TimerWheel, WheelEntry } from './timer-wheel.js';

export class Timer implements WheelEntry {
  due = 0;
  readonly #wheel: TimerWheel;
  readonly #timeoutMs: number;
  readonly #onExpire: () => void;

  constructor(wheel: TimerWheel, timeoutSeconds: number, onExpire: () => void) {
    this.#wheel = wheel;
    this.#timeoutMs = timeoutSeconds * 1000;
    this.#onExpire = onExpire;
  }

  get started(): boolean {
    return this.#wheel.has(this);
  }

  /** Starts the timer, or restarts it if running. */
  start(): void {
    this.reset();
  }

  reset(): void {
    this.due = Date.now() + this.#timeoutMs;
    this.#wheel.add(this);
  }

  clear(): void {
    this.#wheel.remove(this);
  }

  /** @internal called by the wheel when the timer expires. */
  fire(): void {
    this.#onExpire();
  }
}
