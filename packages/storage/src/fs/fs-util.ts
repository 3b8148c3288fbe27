import type { BigIntStats } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { BlobStoreError } from '../errors.js';

/** Entity tag of a file: inode, size and nanosecond mtime; every write makes a new inode. */
export function etagOf(st: BigIntStats): string {
  return `"${st.ino.toString(16)}-${st.size.toString(16)}-${st.mtimeNs.toString(16)}"`;
}

/** Node's error code of a filesystem error, if any. */
export function fsCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** True for the errors that mean "nothing at this path". */
export function isMissing(error: unknown): boolean {
  const code = fsCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The error for a key that collides with a folder or with an object on its path. */
export function conflictError(key: string, cause: unknown): BlobStoreError {
  return new BlobStoreError(
    'CONFLICT',
    `cannot store "${key}": the filesystem store cannot hold an object and a folder of objects under the same name`,
    { cause },
  );
}

/** Removes empty directories from `dir` up to (not including) `root`. */
export async function pruneEmptyDirs(dir: string, root: string): Promise<void> {
  let current = dir;
  while (current !== root && !relative(root, current).startsWith('..') && relative(root, current) !== '') {
    try {
      await rmdir(current);
    } catch (error) {
      const code = fsCode(error);
      // Not empty (another object lives there) or already gone: pruning is done.
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return;
      throw error;
    }
    current = dirname(current);
  }
}

/** Converts a relative key into a platform path fragment. */
export function keyToPath(key: string): string {
  return sep === '/' ? key : key.split('/').join(sep);
}

/** Rethrows `signal.reason` when the signal fired, else the error itself. */
export function abortReasonOr(error: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? signal.reason : error;
}
