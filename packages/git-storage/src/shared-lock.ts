/**
 * Mutual exclusion across server instances around every change of one repository. The stored
 * state is replaced in one put without a compare-and-swap (S3 and the filesystem store have
 * none), so two instances taking a push for the same repository at once must not interleave:
 * the second waits, then syncs the first one's state and is refused as non-fast-forward by git.
 */
import { randomUUID } from 'node:crypto';
import { GitBusyError } from './limits.js';

export interface SharedLock {
  /** Runs `fn` while no other holder of `name` (on any instance) runs. */
  run<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** What {@link keyValueLock} needs of a key-value store with expiring keys (Redis in a cluster). */
export interface LockStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: { ttlMs?: number; onlyIfAbsent?: boolean }): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
}

export interface KeyValueLockOptions {
  /** Key prefix of the lock records. @default 'git-lock:' */
  prefix?: string;
  /** A holder that stops renewing (its instance died) loses the lock after this long. @default 30000 */
  ttlMs?: number;
  /** Waiting longer than this for the lock answers "busy" (503 with Retry-After). @default 120000 */
  waitMs?: number;
}

/**
 * A {@link SharedLock} on a key-value store: the holder writes its token with `onlyIfAbsent` and
 * an expiry, renews it every third of the expiry while it works, and deletes it when done.
 */
export function keyValueLock(store: LockStore, options: KeyValueLockOptions = {}): SharedLock {
  const prefix = options.prefix ?? 'git-lock:';
  const ttlMs = options.ttlMs ?? 30_000;
  const waitMs = options.waitMs ?? 120_000;
  return {
    async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const key = `${prefix}${name}`;
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      for (let delay = 20; !(await store.set(key, token, { ttlMs, onlyIfAbsent: true })); delay = Math.min(delay * 2, 500)) {
        if (Date.now() > deadline) throw new GitBusyError(Math.ceil(ttlMs / 1000));
        await new Promise((r) => setTimeout(r, delay));
      }
      // Renewals run one after another; the first failure stops them and is reported at the end.
      let renewals: Promise<void> = Promise.resolve();
      let renewalError: unknown = null;
      const timer = setInterval(() => {
        renewals = renewals.then(async () => {
          if (renewalError !== null) return;
          try {
            if ((await store.get(key)) === token) await store.set(key, token, { ttlMs });
          } catch (err) {
            renewalError = err;
          }
        });
      }, Math.max(ttlMs / 3, 10));
      let result: T;
      try {
        result = await fn();
      } finally {
        clearInterval(timer);
        await renewals;
        if ((await store.get(key)) === token) await store.del(key);
      }
      if (renewalError !== null) throw new Error(`the lock of ${name} could not be renewed while it was held`, { cause: renewalError });
      return result;
    },
  };
}
