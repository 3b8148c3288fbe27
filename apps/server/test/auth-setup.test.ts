import './setup-websocket.js';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { ConfigError, JWT_SECRET_FILE, loadConfig, resolveJwtSecret, startServer } from '../src/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hypha-server-test-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('root token strength', () => {
  it('refuses a short or obvious --root-token at start with a clear error', () => {
    expect(() => loadConfig(['--root-token', 'short'])).toThrow(ConfigError);
    expect(() => loadConfig(['--root-token', 'short'])).toThrow(/--root-token \(HYPHA_ROOT_TOKEN\) is not accepted: Root token must be at least 32 characters/);
    expect(() => loadConfig([], { HYPHA_ROOT_TOKEN: 'my-admin-password-0123456789abcdef' })).toThrow(/too simple \(contains 'admin'\)/);
    const strong = randomBytes(48).toString('base64url'); // 64 chars: the reference skips its word check at that length
    expect(loadConfig(['--root-token', strong]).rootToken).toBe(strong);
  });

  it('startServer refuses a weak root token before listening', async () => {
    await expect(startServer({ port: 0, quiet: true, rootToken: 'test-root-token-0123456789abcdefgh' })).rejects.toThrow(/too simple/);
  });
});

describe('JWT secret', () => {
  it('takes JWT_SECRET or HYPHA_JWT_SECRET and defaults the data dir to ./.data', () => {
    expect(loadConfig([], { JWT_SECRET: 'a' }).jwtSecret).toBe('a');
    expect(loadConfig([], { HYPHA_JWT_SECRET: 'b', JWT_SECRET: 'a' }).jwtSecret).toBe('b');
    expect(loadConfig([], {}).jwtSecret).toBeNull();
    expect(loadConfig([], {}).dataDir).toBe('./.data');
    expect(loadConfig(['--data-dir', '/var/lib/hypha'], {}).dataDir).toBe('/var/lib/hypha');
  });

  it('generates a secret once in the data dir (mode 0600) and reads it back', async () => {
    const dir = join(await tempDir(), 'nested');
    const first = await resolveJwtSecret(null, dir);
    expect(first.source).toBe('generated');
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dir, JWT_SECRET_FILE))).mode & 0o777).toBe(0o600);
    const second = await resolveJwtSecret(null, dir);
    expect(second).toEqual({ secret: first.secret, source: 'data-dir', file: join(dir, JWT_SECRET_FILE) });
    expect((await resolveJwtSecret('configured', dir)).secret).toBe('configured');
  });

  it('names the file when the stored secret is empty', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, JWT_SECRET_FILE), '\n');
    await expect(resolveJwtSecret(null, dir)).rejects.toThrow(`The JWT secret file ${join(dir, JWT_SECRET_FILE)} is empty`);
  });

  it('keeps tokens valid across a restart with the same data dir', async () => {
    const dataDir = await tempDir();
    const rootToken = randomBytes(48).toString('base64url'); // 64 chars: the reference skips its word check at that length
    const one = await startServer({ port: 0, quiet: true, dataDir, rootToken, artifacts: false });
    const root: any = await connectSilently({ server_url: one.url, token: rootToken });
    await root.createWorkspace({ id: 'kept-lab', persistent: true }, true);
    const token = await root.generateToken({ workspace: 'kept-lab', permission: 'read_write', expires_in: 600 });
    await root.disconnect();
    await one.close();
    expect((await readFile(join(dataDir, JWT_SECRET_FILE), 'utf8')).trim().length).toBeGreaterThanOrEqual(32);

    const two = await startServer({ port: 0, quiet: true, dataDir, rootToken, artifacts: false });
    try {
      // the workspace record lived in the first server's memory bus; the token must still verify
      const root2: any = await connectSilently({ server_url: two.url, token: rootToken });
      const parsed = await root2.parseToken(token).catch((e: Error) => e);
      await root2.disconnect();
      // parse_token is scoped to the caller's workspace: root's is ws-user-root, the token's is kept-lab
      expect(String(parsed)).toMatch(/the token is for workspace kept-lab/);
    } finally {
      await two.close();
    }
  });
});
