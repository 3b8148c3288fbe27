import type { Dirent } from 'node:fs';
import { opendir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissing, keyToPath } from './fs-util.js';

/** One listing entry: an object key, or a common prefix ending with `/`. */
export interface ListEntry {
  key: string;
  isPrefix: boolean;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Children of a folder in S3 key order (a folder `x` sorts as `x/`). */
async function sortedChildren(dir: string): Promise<Dirent[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const name = (e: Dirent) => (e.isDirectory() ? e.name + '/' : e.name);
  return entries.filter((e) => e.isDirectory() || e.isFile()).sort((a, b) => byteCompare(name(a), name(b)));
}

/** True when some file exists below `dir` (S3 only shows folders that hold objects). */
async function holdsAnyFile(dir: string): Promise<boolean> {
  let handle;
  try {
    handle = await opendir(dir);
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  for await (const entry of handle) {
    if (entry.isFile()) return true;
    if (entry.isDirectory() && (await holdsAnyFile(join(dir, entry.name)))) return true;
  }
  return false;
}

/**
 * Yields keys (and, with `delimiter`, common prefixes) under `prefix` in ascending byte order,
 * only those after `startAfter`. Reads one folder at a time.
 */
export async function* walkKeys(
  root: string,
  prefix: string,
  options: { delimiter: boolean; startAfter?: string },
): AsyncGenerator<ListEntry> {
  const slash = prefix.lastIndexOf('/');
  const dirKey = prefix.slice(0, slash + 1);
  const namePrefix = prefix.slice(slash + 1);
  yield* walkDir(root, dirKey, namePrefix, options.delimiter, options.startAfter);
}

async function* walkDir(
  root: string,
  dirKey: string,
  namePrefix: string,
  delimiter: boolean,
  startAfter: string | undefined,
): AsyncGenerator<ListEntry> {
  const dir = join(root, keyToPath(dirKey));
  for (const entry of await sortedChildren(dir)) {
    if (!entry.name.startsWith(namePrefix)) continue;
    const key = dirKey + entry.name;
    if (entry.isFile()) {
      if (startAfter === undefined || byteCompare(key, startAfter) > 0) yield { key, isPrefix: false };
      continue;
    }
    const folder = key + '/';
    if (delimiter) {
      if ((startAfter === undefined || byteCompare(folder, startAfter) > 0) && (await holdsAnyFile(join(dir, entry.name)))) {
        yield { key: folder, isPrefix: true };
      }
      continue;
    }
    // Skip a folder whose every key sorts at or before startAfter.
    if (startAfter !== undefined && !startAfter.startsWith(folder) && byteCompare(folder, startAfter) < 0) continue;
    yield* walkDir(root, folder, '', false, startAfter);
  }
}

/** Stats a listed key; `undefined` if it vanished meanwhile. */
export async function statKey(root: string, key: string) {
  try {
    return await stat(join(root, keyToPath(key)), { bigint: true });
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
