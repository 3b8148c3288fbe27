/**
 * Idle RSS on embedded defaults (issue #10 item 11): our server started as `pnpm --filter server
 * start` runs it, with a fresh data directory, next to a bare `ws` server, and a bare `ws` server
 * with PGlite (+ pgvector) opened, each in its own process, left idle, measured from /proc.
 * Usage: node --conditions=@hypha/source --import tsx src/standalone/idle-rss.ts [--settle <seconds>]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { benchRoot } from '../harness/child.js';
import { freePort } from '../harness/free-port.js';
import { rssBytes } from '../harness/proc-memory.js';
import { serverStartCommand } from '../servers/start-command.js';

const args = process.argv.slice(2);
const settleIndex = args.indexOf('--settle');
const SETTLE_MS = (settleIndex >= 0 ? Number(args[settleIndex + 1]) : 10) * 1000;
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `argv`, resolves once a stdout line satisfies `ready`; rejects with stderr if it exits first. */
async function spawnUntil(argv: string[], cwd: string, ready: (line: string) => boolean, timeoutMs = 120_000): Promise<ChildProcess> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')}: not ready within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited (code ${code}, signal ${signal}) before it was ready\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!ready(line)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolvePromise();
    });
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** RSS after the process has been idle for the settle time (the median of three samples 1 s apart). */
async function idleRss(pid: number): Promise<number> {
  await sleep(SETTLE_MS);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(rssBytes(pid));
    await sleep(1000);
  }
  return samples.sort((a, b) => a - b)[1]!;
}

async function floor(mode: 'none' | 'defaults' | 'small'): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hypha-bench-idle-floor-'));
  try {
    const script = resolve(benchRoot, 'src', 'floors', 'ws-pglite-server.mjs');
    if (mode === 'small') {
      // As our server does: the database exists before it is opened for good (created by a child).
      const init = await spawnUntil([process.execPath, script, '--pglite', 'small', '--data-dir', dataDir], benchRoot, (l) => l.includes('"ready"'));
      await stop(init);
    }
    const child = await spawnUntil([process.execPath, script, '--pglite', mode, '--data-dir', dataDir], benchRoot, (l) => l.includes('"ready"'));
    try {
      return await idleRss(child.pid!);
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function ours(): Promise<{ idle: number; afterFirstUse: number; description: string }> {
  const port = await freePort();
  const cmd = serverStartCommand(port);
  if (!cmd.ok) throw new Error(`our server: ${cmd.reason}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'hypha-bench-idle-ours-'));
  try {
    const argv = [...cmd.value.argv, '--data-dir', dataDir];
    const child = await spawnUntil(argv, cmd.value.cwd, (l) => l.includes('"hypha-server-listening"'));
    try {
      const idle = await idleRss(child.pid!);
      // First use of the artifact manager opens the embedded database.
      const res = await fetch(`http://127.0.0.1:${port}/public/artifacts/`);
      await res.arrayBuffer();
      const afterFirstUse = await idleRss(child.pid!);
      return { idle, afterFirstUse, description: cmd.value.description };
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => (bytes / MB).toFixed(1);
const bare = await floor('none');
const pgDefaults = await floor('defaults');
const pgSmall = await floor('small');
const server = await ours();
console.log(`Idle RSS after ${SETTLE_MS / 1000} s idle (median of 3 samples), fresh data directories:`);
console.log(`  bare ws server                                  ${mb(bare).padStart(7)} MB`);
console.log(`  bare ws + PGlite/pgvector, PGlite defaults      ${mb(pgDefaults).padStart(7)} MB`);
console.log(`  bare ws + PGlite/pgvector, 16 MB buffer cache   ${mb(pgSmall).padStart(7)} MB`);
console.log(`  our server, idle (database not opened yet)      ${mb(server.idle).padStart(7)} MB   ${(server.idle / bare).toFixed(2)}× bare ws   target < 150 MB: ${server.idle < 150 * MB ? 'met' : 'NOT met'}`);
console.log(`  our server, after first artifact call           ${mb(server.afterFirstUse).padStart(7)} MB   ${(server.afterFirstUse / pgSmall).toFixed(2)}× bare ws + PGlite (same settings)`);
console.log(`  (our server: ${server.description})`);
