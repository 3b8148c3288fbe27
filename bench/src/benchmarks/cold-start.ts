/** 8. Cold start: time from process start to a 200 from `/health/readiness` on embedded defaults. */
import { spawn } from 'node:child_process';
import { WebSocket } from 'ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchRoot, childNodeFlags } from '../harness/child.js';
import { freePort } from '../harness/free-port.js';
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import { median } from '../harness/stats.js';
import type { BenchContext, BenchReport, Benchmark } from '../harness/types.js';
import { serverStartCommand } from '../servers/start-command.js';

const READY_TIMEOUT_MS = 30_000;

async function ready(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/readiness`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch (err) {
    // Connection refused is the expected answer until the server listens.
    if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return false;
    throw err;
  }
}

/** Opens `/ws`, sends an anonymous hello and resolves when `connection_info` arrives. */
function handshake(port: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ client_id: 'cold-start-probe' })));
    ws.once('message', (data) => {
      const info = JSON.parse(String(data)) as { type?: string };
      ws.close();
      if (info.type === 'connection_info') resolvePromise();
      else reject(new Error(`cold start: expected connection_info, got ${String(data).slice(0, 200)}`));
    });
  });
}

interface StartTimes {
  /** Spawn to the first 200 from /health/readiness. */
  readyMs: number;
  /** Spawn to the first WebSocket `connection_info` (handshake started right after ready). */
  handshakeMs?: number;
}

/**
 * Spawns `argv`, polls readiness every 2 ms, returns milliseconds from spawn to ready (and, with
 * `withHandshake`, to a completed WebSocket handshake after that).
 */
async function timeToReady(argv: string[], cwd: string, port: number, env: Record<string, string> = {}, withHandshake = false): Promise<StartTimes> {
  const t0 = performance.now();
  const proc = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  let exited: string | null = null;
  proc.once('exit', (code, signal) => (exited = `exited (code ${code}, signal ${signal})`));
  try {
    for (;;) {
      if (exited) throw new Error(`${argv.slice(-6).join(' ')} ${exited} before ready; stderr:\n${stderr}`);
      if (await ready(port)) {
        const readyMs = performance.now() - t0;
        if (!withHandshake) return { readyMs };
        await handshake(port);
        return { readyMs, handshakeMs: performance.now() - t0 };
      }
      if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error(`not ready after ${READY_TIMEOUT_MS} ms; stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    if (!exited) {
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(force);
    }
  }
}

/**
 * The floor starts the way our entry does: through the TypeScript loader when our start script
 * runs a `.ts` file, as plain JavaScript otherwise.
 */
async function floorRuns(runs: number, flags: string[]): Promise<number[]> {
  const times: number[] = [];
  const file = flags.length > 0 ? 'http-ready-server.ts' : 'http-ready-server.mjs';
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const script = resolve(benchRoot, 'src', 'floors', file);
    times.push((await timeToReady([process.execPath, ...flags, script, '--port', String(port)], benchRoot, port)).readyMs);
  }
  return times;
}

/** Node flags our start command passes (the TypeScript loader for a `.ts` entry), none otherwise. */
function ourFlags(): string[] {
  const cmd = serverStartCommand(0);
  return cmd.ok && cmd.value.argv.includes('tsx') ? childNodeFlags : [];
}

async function ours(runs: number): Promise<Outcome<{ times: number[]; handshakes: number[]; description: string; firstMs: number }>> {
  return attempt('cold start (ours)', async () => {
    const times: number[] = [];
    const handshakes: number[] = [];
    let description = '';
    let firstMs = 0;
    // One untimed start first: a start script that builds on first use (or after a source
    // change) does it here, and the timed starts measure the server itself.
    for (let i = -1; i < runs; i++) {
      const port = await freePort();
      const cmd = serverStartCommand(port);
      if (!cmd.ok) return cmd;
      description = cmd.value.description;
      // A fresh data directory each run: embedded defaults start from nothing.
      const dataDir = mkdtempSync(join(tmpdir(), 'hypha-bench-cold-'));
      try {
        const t = await timeToReady(cmd.value.argv, cmd.value.cwd, port, { HYPHA_DATA_DIR: dataDir }, true);
        if (i < 0) {
          firstMs = t.readyMs;
        } else {
          times.push(t.readyMs);
          handshakes.push(t.handshakeMs ?? NaN);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    return { ok: true, value: { times, handshakes, description, firstMs } };
  });
}

export const coldStart: Benchmark = {
  id: '8',
  title: 'Cold start to /health/readiness',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const runs = ctx.quick ? 1 : 5;
    const flags = ourFlags();
    const floor = await floorRuns(runs, flags);
    const mine = await ours(runs);
    return {
      id: this.id,
      title: this.title,
      rows: [
        {
          metric: `median of ${runs} start${runs > 1 ? 's' : ''}`,
          unit: 'ms',
          floor: { label: 'node:http readiness handler', value: median(floor) },
          ours: figure('our server', mine, (v) => median(v.times)),
          target: { kind: 'max', value: 1000 },
        },
      ],
      notes: [
        `floor runs (ms): ${floor.map((t) => t.toFixed(0)).join(', ')}; both start with the same node flags (${flags.length > 0 ? flags.join(' ') : 'none: plain JavaScript'})`,
        ...(mine.ok
          ? [
              `ours runs (ms): ${mine.value.times.map((t) => t.toFixed(0)).join(', ')}; command: ${mine.value.description}`,
              `ours, untimed first start before them (includes a build when dist is missing or stale): ${mine.value.firstMs.toFixed(0)} ms`,
              `ours, spawn to the first WebSocket connection_info (anonymous handshake started once ready), median ${median(mine.value.handshakes).toFixed(0)} ms: ${mine.value.handshakes.map((t) => t.toFixed(0)).join(', ')}`,
            ]
          : []),
      ],
    };
  },
};
