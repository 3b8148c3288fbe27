import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { DatabaseError } from './errors.js';

/**
 * Postgres settings of the embedded database. A 16 MB buffer cache instead of Postgres's 128 MB
 * default: PGlite touches all of it at start, and the files are cached by the OS anyway; this
 * alone takes ~150 MB off an idle server's RSS (issue #10 item 11).
 */
export const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/** Whether `dataDir` already holds a database (PGlite keeps a Postgres data directory there). */
export function hasDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

const CHILD_SCRIPT = `
const [dataDir, settings] = process.argv.slice(-2);
const { PGlite } = await import('@electric-sql/pglite');
const pg = await PGlite.create({ dataDir, startParams: [...PGlite.defaultStartParams, ...JSON.parse(settings)] });
await pg.close();
`;

/**
 * Creates a fresh database in `dataDir` in a short-lived child process. Creating one runs
 * initdb (seconds of CPU) and leaves ~180 MB that a process does not give back; in a child, the
 * caller's event loop stays free and its memory stays small. The caller then opens the database.
 * @throws DatabaseError (`CONNECTION_FAILED`) with the child's output when it fails.
 */
export async function createDatabaseInChild(dataDir: string): Promise<void> {
  // The child imports PGlite by name from the directory that holds the copy this package uses.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const marker = `${join('node_modules', '@electric-sql', 'pglite')}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new DatabaseError('CONNECTION_FAILED', `Cannot locate the PGlite package (resolved to ${entry})`);
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT, resolve(dataDir), JSON.stringify(PGLITE_SETTINGS)], {
    cwd: entry.slice(0, at),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve({ code: c, signal: s }));
  });
  if (code !== 0 || !hasDatabase(dataDir)) {
    throw new DatabaseError(
      'CONNECTION_FAILED',
      `Could not create the embedded database in ${dataDir} (initdb process exited with ${signal ?? `code ${code}`}): ${stderr.trim() || 'no output'}`,
    );
  }
}
