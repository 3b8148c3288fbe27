/**
 * The HS256 secret of internal tokens: `JWT_SECRET`/`HYPHA_JWT_SECRET` when set, else a random
 * secret generated once and kept in `<data-dir>/jwt-secret` so tokens survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the file holding the generated secret inside the data directory. */
export const JWT_SECRET_FILE = 'jwt-secret';

/** Where a secret came from. */
export type JwtSecretSource = 'configured' | 'data-dir' | 'generated' | 'ephemeral';

export interface ResolvedJwtSecret {
  secret: string;
  source: JwtSecretSource;
  /** The file it was read from or written to (data-dir sources only). */
  file?: string;
}

/**
 * `configured` wins; otherwise the secret in `dataDir` (created with mode 0600 on first start);
 * without a data dir a per-process secret (`ephemeral`: tokens die with the process).
 * @throws Error naming the file when it exists but is empty or unreadable.
 */
export async function resolveJwtSecret(configured: string | null | undefined, dataDir: string | null | undefined): Promise<ResolvedJwtSecret> {
  if (configured) return { secret: configured, source: 'configured' };
  if (!dataDir) return { secret: randomBytes(32).toString('base64url'), source: 'ephemeral' };
  const file = join(dataDir, JWT_SECRET_FILE);
  let stored: string | null = null;
  try {
    stored = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Cannot read the JWT secret file ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (stored !== null) {
    if (stored === '') throw new Error(`The JWT secret file ${file} is empty; delete it to generate a new secret or set JWT_SECRET`);
    return { secret: stored, source: 'data-dir', file };
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created it meanwhile; then its secret is the one to use.
  try {
    await writeFile(file, `${secret}\n`, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return resolveJwtSecret(null, dataDir);
    throw new Error(`Cannot write the JWT secret file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { secret, source: 'generated', file };
}
