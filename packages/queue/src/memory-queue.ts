/**
 * The queue on embedded defaults: in this process, gone when it stops (like the reference's queue
 * on fakeredis). Waiting consumers are served in the order they started waiting.
 */
import { randomUUID } from 'node:crypto';
import type { QueueBackend, Reservation } from './queue-backend.js';

interface Waiter {
  deliver(payload: string): void;
}

interface Held {
  key: string;
  payload: string;
  timer: NodeJS.Timeout;
}

class TaskList {
  items: string[] = [];
  head = 0;
  waiters: Waiter[] = [];

  get size(): number {
    return this.items.length - this.head;
  }

  take(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }

  putFront(payload: string): void {
    if (this.head > 0) this.items[--this.head] = payload;
    else this.items.unshift(payload);
  }
}

export class MemoryQueueBackend implements QueueBackend {
  readonly #lists = new Map<string, TaskList>();
  readonly #held = new Map<string, Held>();
  #closed = false;

  #list(key: string): TaskList {
    let l = this.#lists.get(key);
    if (!l) {
      l = new TaskList();
      this.#lists.set(key, l);
    }
    return l;
  }

  /** Hands `payload` to the first waiting consumer, or queues it (at the front when `front`). */
  #offer(key: string, payload: string, front: boolean): void {
    const list = this.#list(key);
    const waiter = list.waiters.shift();
    if (waiter) waiter.deliver(payload);
    else if (front) list.putFront(payload);
    else list.items.push(payload);
  }

  async push(key: string, payload: string): Promise<void> {
    this.#assertOpen();
    this.#offer(key, payload, false);
  }

  pop(key: string, timeoutSeconds: number): Promise<string | null> {
    return this.#take(key, timeoutSeconds);
  }

  async length(key: string): Promise<number> {
    return this.#lists.get(key)?.size ?? 0;
  }

  async peek(key: string, n: number): Promise<string[]> {
    const list = this.#lists.get(key);
    if (!list) return [];
    return list.items.slice(list.head, list.head + n);
  }

  async reserve(key: string, timeoutSeconds: number, visibilitySeconds: number): Promise<Reservation | null> {
    const payload = await this.#take(key, timeoutSeconds);
    if (payload === null) return null;
    const id = randomUUID();
    const timer = setTimeout(() => {
      if (this.#held.delete(id)) this.#offer(key, payload, true);
    }, visibilitySeconds * 1000);
    timer.unref();
    this.#held.set(id, { key, payload, timer });
    return { id, payload };
  }

  async ack(key: string, id: string): Promise<boolean> {
    const held = this.#held.get(id);
    if (!held || held.key !== key) return false;
    clearTimeout(held.timer);
    this.#held.delete(id);
    return true;
  }

  async nack(key: string, id: string): Promise<boolean> {
    const held = this.#held.get(id);
    if (!held || held.key !== key) return false;
    clearTimeout(held.timer);
    this.#held.delete(id);
    this.#offer(key, held.payload, true);
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const held of this.#held.values()) clearTimeout(held.timer);
    this.#held.clear();
    for (const list of this.#lists.values()) {
      for (const w of list.waiters.splice(0)) w.deliver(null as unknown as string);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The queue is closed');
  }

  #take(key: string, timeoutSeconds: number): Promise<string | null> {
    this.#assertOpen();
    const list = this.#list(key);
    const now = list.take();
    if (now !== undefined) return Promise.resolve(now);
    if (timeoutSeconds <= 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        deliver: (payload) => {
          clearTimeout(timer);
          resolve(payload);
        },
      };
      const timer = setTimeout(() => {
        const i = list.waiters.indexOf(waiter);
        if (i >= 0) list.waiters.splice(i, 1);
        resolve(null);
      }, timeoutSeconds * 1000);
      list.waiters.push(waiter);
    });
  }
}
