/**
 * One server per data dir: the embedded PGlite database and the secret files in `--data-dir` are
 * single-process. A running server holds `<data-dir>/server.lock` (its pid); a second server on
 * the same directory refuses to start, and a lock left by a process that is gone is taken over.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const DATA_DIR_LOCK_FILE = 'server.lock';

/** The data dir is held by a live process. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly file: string,
    readonly pid: number,
  ) {
    super(
      `The data directory ${dataDir} is in use by a running Hypha server (pid ${pid}, lock file ${file}). ` +
        'Stop that server, or start this one with a different --data-dir.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  /** Absolute path of the lock file. */
  readonly file: string;
  /** The pid of the dead process whose lock was taken over, else null. */
  readonly takenOverFrom: number | null;
  /** Removes the lock file (once; later calls do nothing). */
  release(): Promise<void>;
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if (errno(err) === 'ESRCH') return false;
    if (errno(err) === 'EPERM') return true;
    throw err;
  }
}

/** The pid in the lock file, or null when the file is gone. */
async function readOwner(file: string, dir: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  }
  const value = text.trim();
  const pid = /^\d{1,10}$/.test(value) ? Number(value) : 0;
  if (pid <= 0) {
    throw new Error(
      `The lock file ${file} does not hold a process id (it holds ${JSON.stringify(value.slice(0, 40))}); ` +
        `a server may be starting in ${dir} right now. If no Hypha server uses ${dir}, delete the file.`,
    );
  }
  return pid;
}

/** Creates the lock file holding our pid; false when it already exists. */
async function create(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o644);
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
  } catch (err) {
    await handle.close();
    await unlink(file);
    throw err;
  }
  await handle.close();
  return true;
}

class HeldLock implements DataDirLock {
  /** The one release: later callers wait for it instead of returning while it is still running. */
  private releasing: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly dir: string,
    readonly takenOverFrom: number | null,
  ) {}

  release(): Promise<void> {
    this.releasing ??= this.removeFile();
    return this.releasing;
  }

  private async removeFile(): Promise<void> {
    const owner = await readOwner(this.file, this.dir);
    if (owner === null) return;
    if (owner !== process.pid) {
      throw new Error(`The lock file ${this.file} was taken by pid ${owner} while this server (pid ${process.pid}) held it; left in place`);
    }
    await unlink(this.file);
  }
}

/**
 * Takes the lock of `dataDir` (created if missing).
 * @throws DataDirLockedError when a live process holds it.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const file = join(dir, DATA_DIR_LOCK_FILE);
  let takenOverFrom: number | null = null;
  // A few rounds: another process may release or take the lock between our steps.
  for (let round = 0; round < 3; round++) {
    if (await create(file)) return new HeldLock(file, dir, takenOverFrom);
    const owner = await readOwner(file, dir);
    if (owner === null) continue;
    if (isAlive(owner)) throw new DataDirLockedError(dir, file, owner);
    // Stale: remove it unless someone replaced it meanwhile, then try to create ours again.
    if ((await readOwner(file, dir)) === owner) {
      try {
        await unlink(file);
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw err;
      }
    }
    takenOverFrom = owner;
  }
  throw new Error(`Could not take the lock ${file}: it kept changing hands; is another server starting in ${dir}?`);
}
