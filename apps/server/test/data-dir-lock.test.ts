import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../src/index.js';
import { acquireDataDirLock, DATA_DIR_LOCK_FILE, DataDirLockedError } from '../src/data-dir-lock.js';
import type { RunningServer } from '../src/index.js';

// PGlite and the secret files in the data dir are single-process: a second server on the same
// --data-dir must refuse to start, naming the directory and the running server's pid.

const SERVER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const dirs: string[] = [];
const servers: RunningServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hypha-lock-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string): Promise<RunningServer> {
  const server = await startServer({ port: 0, quiet: true, dataDir: dir, artifacts: false });
  servers.push(server);
  return server;
}

const lockOf = (dir: string) => readFile(join(dir, DATA_DIR_LOCK_FILE), 'utf8');

/** Runs the CLI as a separate process until it exits (or reports that it listens, then stops it). */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@hypha/source', 'src/main.ts', ...args], {
      cwd: SERVER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('hypha-server-listening')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', '']);
  expect(done.status).toBe(0);
  return done.pid;
}

describe('the data dir lock', () => {
  it('refuses a second server in the same process while the first runs, and frees the dir on close', async () => {
    const dir = await dataDir();
    const first = await start(dir);
    expect((await lockOf(dir)).trim()).toBe(String(process.pid));

    const second = startServer({ port: 0, quiet: true, dataDir: dir, artifacts: false });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(`pid ${process.pid}`);
    await expect(second).rejects.toThrow(dir);
    await expect(second).rejects.toThrow('--data-dir');
    // the refused start left the running server and its lock alone
    expect((await fetch(`${first.url}/health/liveness`)).status).toBe(200);
    expect((await lockOf(dir)).trim()).toBe(String(process.pid));

    servers.splice(servers.indexOf(first), 1);
    await first.close();
    await expect(lockOf(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await start(dir);
    expect((await fetch(`${again.url}/health/liveness`)).status).toBe(200);
  });

  it('makes a second server process on the same --data-dir exit with an error naming the dir and the pid', async () => {
    const dir = await dataDir();
    await start(dir);
    const run = await runCli(['--port', '0', '--data-dir', dir]);
    expect(run.stdout).not.toContain('hypha-server-listening');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(dir);
    expect(run.stderr).toContain(`pid ${process.pid}`);
    expect(run.stderr).toContain('--data-dir');
    expect((await lockOf(dir)).trim()).toBe(String(process.pid));
  });

  it('takes over the lock of a server that is gone', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, DATA_DIR_LOCK_FILE), `${deadPid()}\n`);
    const server = await start(dir);
    expect((await lockOf(dir)).trim()).toBe(String(process.pid));
    servers.splice(servers.indexOf(server), 1);
    await server.close();
    await expect(lockOf(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lets a server process start over a stale lock, and removes the lock when it stops', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, DATA_DIR_LOCK_FILE), `${deadPid()}\n`);
    const run = await runCli(['--port', '0', '--data-dir', dir]);
    expect(run.stdout).toContain('hypha-server-listening');
    expect(run.code).toBe(0);
    await expect(lockOf(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('releases the lock when the start fails after taking it', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'server-id'), 'not an id!\n');
    await expect(start(dir)).rejects.toThrow(/server-id holds "not an id!"/);
    await expect(lockOf(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a lock file that does not hold a pid, naming the file', async () => {
    const dir = await dataDir();
    const file = join(dir, DATA_DIR_LOCK_FILE);
    await writeFile(file, 'garbage\n');
    await expect(start(dir)).rejects.toThrow(`${file} does not hold a process id`);
    expect(await readFile(file, 'utf8')).toBe('garbage\n');
  });
});

describe('releasing twice', () => {
  it('makes a second release() wait until the lock file is gone', async () => {
    const dir = await dataDir();
    const lock = await acquireDataDirLock(dir);
    const first = lock.release();
    await lock.release();
    await expect(lockOf(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await first;
  });

  it('makes a second server close() wait until the lock file is gone', async () => {
    const dir = await dataDir();
    const server = await start(dir);
    const first = server.close();
    await server.close();
    await expect(lockOf(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await first;
  });
});
