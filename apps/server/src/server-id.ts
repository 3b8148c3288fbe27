/**
 * The server id (and so the manager id `manager-<server id>`). A configured id (`--server-id`,
 * `HYPHA_SERVER_ID`) wins. A single-instance server on embedded defaults with a data dir keeps a
 * generated id in `<data-dir>/server-id`: hypha-rpc clients skip the first `manager_refreshed`
 * event after a reconnect, so after a restart with a new id their workspace-manager proxy would
 * keep calling the old manager. Otherwise (Redis cluster, no data dir) each start gets a new id.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readableId } from '@hypha/auth';

/** Name of the file holding the generated server id inside the data directory. */
export const SERVER_ID_FILE = 'server-id';

const SERVER_ID_RE = /^[A-Za-z0-9_-]+$/;

/** Where a server id came from. */
export type ServerIdSource = 'configured' | 'data-dir' | 'generated' | 'ephemeral';

export interface ResolvedServerId {
  serverId: string;
  source: ServerIdSource;
  /** The file it was read from or written to (data-dir sources only). */
  file?: string;
}

/**
 * `configured` wins; with `dataDir` (pass it only when the id should persist) the id stored
 * there, created on first start; otherwise a new id (`ephemeral`).
 * @throws Error naming the file when it exists but is unreadable, empty or not a valid id.
 */
export async function resolveServerId(configured: string | null | undefined, dataDir: string | null | undefined): Promise<ResolvedServerId> {
  if (configured) return { serverId: configured, source: 'configured' };
  if (!dataDir) return { serverId: readableId(), source: 'ephemeral' };
  const file = join(dataDir, SERVER_ID_FILE);
  let stored: string | null = null;
  try {
    stored = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Cannot read the server id file ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (stored !== null) {
    if (!SERVER_ID_RE.test(stored)) {
      throw new Error(
        `The server id file ${file} holds ${JSON.stringify(stored)}, not an id of letters, digits, '-' and '_'; fix or delete it, or set --server-id`,
      );
    }
    return { serverId: stored, source: 'data-dir', file };
  }
  await mkdir(dataDir, { recursive: true });
  const serverId = readableId();
  // 'wx' fails if another process created it meanwhile; then its id is the one to use.
  try {
    await writeFile(file, `${serverId}\n`, { encoding: 'utf8', flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return resolveServerId(null, dataDir);
    throw new Error(`Cannot write the server id file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { serverId, source: 'generated', file };
}
