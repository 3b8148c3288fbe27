/**
 * Git over smart HTTP: one push and one clone of the same repository through our server (a
 * git-storage artifact) next to its floor from the same run, stock `git http-backend` (CGI behind a
 * minimal Node server). Prints seconds, MB/s and the peak RSS of each server's process tree (the
 * server and the git processes it runs), sampled every 10 ms, after one warm-up push and clone of a
 * tiny repository on each.
 * Usage: node --conditions=@hypha/source --import tsx src/standalone/git-clone-push.ts [--quick]
 * (full: 200 MB of incompressible files; quick: 8 MB)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectToServer } from '@hypha/rpc';
import { freePort } from '../harness/free-port.js';

const quick = process.argv.includes('--quick');
const FILES = quick ? 8 : 100;
const FILE_BYTES = quick ? 1024 * 1024 : 2 * 1024 * 1024;
const TOTAL_MB = (FILES * FILE_BYTES) / 1024 / 1024;
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');

const tmp = await mkdtemp(join(tmpdir(), 'hypha-git-bench-'));
const gitEnv = {
  PATH: process.env.PATH ?? '',
  HOME: tmp,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

function git(args: string[], cwd?: string): Promise<void> {
  return new Promise((done, fail) =>
    execFile('git', args, { cwd, env: gitEnv, maxBuffer: 64 * 1024 * 1024 }, (err, _out, stderr) =>
      err ? fail(new Error(`git ${args[0]} failed: ${stderr || err.message}`)) : done(),
    ),
  );
}

/** RSS of a process and all its descendants, in bytes (0 for processes that are gone). */
function treeRss(pid: number): number {
  let total = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) total += treeRss(Number(child));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
  return total;
}

/** Runs `work` while sampling the peak tree RSS of `pid`; returns seconds and the peak. */
async function measured(pid: number, work: () => Promise<void>): Promise<{ seconds: number; peak: number; baseline: number }> {
  const baseline = treeRss(pid);
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 10);
  const t0 = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { seconds: (performance.now() - t0) / 1000, peak: Math.max(peak, treeRss(pid)), baseline };
}

/** Starts a child that prints `marker` on stdout once ready. */
function startChild(cmd: string, args: string[], ready: () => Promise<boolean>): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env } });
  return new Promise((done, fail) => {
    const deadline = Date.now() + 120_000;
    const poll = async () => {
      if (child.exitCode !== null) return fail(new Error(`${cmd} ${args.join(' ')} exited with ${child.exitCode}`));
      if (await ready().catch(() => false)) return done(child);
      if (Date.now() > deadline) return fail(new Error(`${cmd} did not become ready within 120 s`));
      setTimeout(poll, 200);
    };
    void poll();
  });
}

const reachable = (url: string) => async () => (await fetch(url)).status < 500;

// The repository: FILES incompressible files in one commit.
const source = join(tmp, 'source');
await mkdir(source, { recursive: true });
await git(['init', '-q', '-b', 'main'], source);
for (let i = 0; i < FILES; i++) await writeFile(join(source, `blob-${i}.bin`), randomBytes(FILE_BYTES));
await git(['add', '.'], source);
await git(['commit', '-q', '-m', 'bench data'], source);

// A tiny repository pushed and cloned once on each server first, so the measured runs do not
// include first-use costs (code loaded on demand, the database's first writes).
const warm = join(tmp, 'warm');
await mkdir(warm, { recursive: true });
await git(['init', '-q', '-b', 'main'], warm);
await writeFile(join(warm, 'warm.txt'), 'warm-up\n');
await git(['add', '.'], warm);
await git(['commit', '-q', '-m', 'warm-up'], warm);
async function warmUp(url: string, name: string): Promise<void> {
  await git(['push', '-q', url, 'main:main'], warm);
  await git(['clone', '-q', url, join(tmp, `warm-clone-${name}`)]);
}

// Floor: git http-backend over a bare repository.
const floorRoot = join(tmp, 'floor');
await mkdir(floorRoot, { recursive: true });
await git(['init', '-q', '--bare', 'repo.git'], floorRoot);
await git(['init', '-q', '--bare', 'warm.git'], floorRoot);
const floorPort = await freePort();
const floorUrl = `http://127.0.0.1:${floorPort}/repo.git`;
const floorServer = await startChild(process.execPath, [resolve(here, '..', 'floors', 'git-http-backend-server.mjs'), floorRoot, String(floorPort)], reachable(`${floorUrl}/info/refs?service=git-upload-pack`));
await warmUp(`http://127.0.0.1:${floorPort}/warm.git`, 'floor');
const floorPush = await measured(floorServer.pid!, () => git(['push', '-q', floorUrl, 'main:main'], source));
const floorClone = await measured(floorServer.pid!, () => git(['clone', '-q', floorUrl, join(tmp, 'floor-clone')]));
floorServer.kill('SIGTERM');

// Ours: a git-storage artifact on a server with embedded defaults, in its own process.
const rootToken = randomBytes(48).toString('base64url');
const port = await freePort();
const serverUrl = `http://127.0.0.1:${port}`;
const ours = await startChild(
  process.execPath,
  ['--conditions=@hypha/source', '--import', 'tsx', join(repoRoot, 'apps', 'server', 'src', 'main.ts'), '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(tmp, 'data'), '--root-token', rootToken],
  reachable(`${serverUrl}/health/readiness`),
);
const api = (await connectToServer({ server_url: serverUrl, token: rootToken } as Parameters<typeof connectToServer>[0])) as unknown as Record<string, (...a: unknown[]) => Promise<any>>;
await api.createWorkspace!({ id: 'bench-git', description: 'git bench', persistent: true }, true);
const am = (await api.getService!('public/artifact-manager')) as Record<string, (...a: unknown[]) => Promise<unknown>>;
for (let attempt = 0; ; attempt++) {
  try {
    await am.create!({ alias: 'bench-git/repo', manifest: { name: 'repo' }, config: { storage: 'git' }, _rkwargs: true });
    await am.create!({ alias: 'bench-git/warm', manifest: { name: 'warm' }, config: { storage: 'git' }, _rkwargs: true });
    break;
  } catch (err) {
    // the embedded database opens in the background; anything else is a real failure
    if (attempt > 120 || !/not ready|starting|unavailable/i.test(String(err))) throw err;
    await new Promise((r) => setTimeout(r, 500));
  }
}
const oursUrl = `${serverUrl.replace('http://', `http://git:${rootToken}@`)}/bench-git/git/repo`;
await warmUp(`${serverUrl.replace('http://', `http://git:${rootToken}@`)}/bench-git/git/warm`, 'ours');
const oursPush = await measured(ours.pid!, () => git(['push', '-q', oursUrl, 'main:main'], source));
const oursClone = await measured(ours.pid!, () => git(['clone', '-q', oursUrl, join(tmp, 'ours-clone')]));
await (api.disconnect as () => Promise<void>)();
ours.kill('SIGTERM');
await new Promise((r) => ours.once('exit', r));
await rm(tmp, { recursive: true, force: true });

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const row = (name: string, r: { seconds: number; peak: number; baseline: number }) =>
  `| ${name} | ${r.seconds.toFixed(2)} s | ${(TOTAL_MB / r.seconds).toFixed(1)} MB/s | ${mb(r.peak)} | +${mb(r.peak - r.baseline)} |`;
process.stdout.write(
  [
    `git over smart HTTP, ${FILES} files, ${TOTAL_MB.toFixed(0)} MB incompressible, one commit`,
    '| operation | time | throughput | peak RSS (server tree) | growth |',
    '| --- | --- | --- | --- | --- |',
    row('floor: push to git http-backend', floorPush),
    row('ours: push to a git-storage artifact', oursPush),
    row('floor: clone from git http-backend', floorClone),
    row('ours: clone from a git-storage artifact', oursClone),
    `ratios (time, ours / floor): push ${(oursPush.seconds / floorPush.seconds).toFixed(2)}, clone ${(oursClone.seconds / floorClone.seconds).toFixed(2)}`,
    '',
  ].join('\n'),
);
