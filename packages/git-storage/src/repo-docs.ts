/**
 * Small JSON documents kept beside a repository in the blob store (per-branch staging, pull
 * requests), each read-modified-written under a per-document lock.
 */
import { Mutex } from './limits.js';
import type { GitRepo } from './git-repo.js';

const locks = new Map<string, Mutex>();

async function readJson<T>(repo: GitRepo, key: string): Promise<T | null> {
  if (!(await repo.store.head(key))) return null;
  const { body } = await repo.store.get(key);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** Reads document `name` of the repository (`fallback` when absent). */
export async function readDoc<T>(repo: GitRepo, name: string, fallback: T): Promise<T> {
  return (await readJson<T>(repo, `${repo.prefix}${name}.json`)) ?? fallback;
}

/**
 * Updates document `name`: `fn` gets the current value and returns the new one (null deletes it)
 * plus a result.
 */
export async function updateDoc<T, R>(repo: GitRepo, name: string, fallback: T, fn: (current: T) => Promise<{ value: T | null; result: R }>): Promise<R> {
  const key = `${repo.prefix}${name}.json`;
  let lock = locks.get(key);
  if (!lock) {
    lock = new Mutex();
    locks.set(key, lock);
  }
  return lock.run(async () => {
    const current = (await readJson<T>(repo, key)) ?? fallback;
    const { value, result } = await fn(current);
    if (value === null) await repo.store.delete(key);
    else await repo.store.put(key, Buffer.from(JSON.stringify(value)));
    return result;
  });
}
