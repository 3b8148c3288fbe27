/** 8. Cold start: time from process start to a 200 from `/health/readiness` on embedded defaults. */
import { spawn } from 'node:child_process';
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

/** Spawns `argv`, polls readiness every 2 ms, returns milliseconds from spawn to ready. */
async function timeToReady(argv: string[], cwd: string, port: number, env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const proc = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  let exited: string | null = null;
  proc.once('exit', (code, signal) => (exited = `exited (code ${code}, signal ${signal})`));
  try {
    for (;;) {
      if (exited) throw new Error(`${argv.slice(-6).join(' ')} ${exited} before ready; stderr:\n${stderr}`);
      if (await ready(port)) return performance.now() - t0;
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

async function floorRuns(runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const script = resolve(benchRoot, 'src', 'floors', 'http-ready-server.ts');
    times.push(await timeToReady([process.execPath, ...childNodeFlags, script, '--port', String(port)], benchRoot, port));
  }
  return times;
}

async function ours(runs: number): Promise<Outcome<{ times: number[]; description: string }>> {
  return attempt('cold start (ours)', async () => {
    const times: number[] = [];
    let description = '';
    for (let i = 0; i < runs; i++) {
      const port = await freePort();
      const cmd = serverStartCommand(port);
      if (!cmd.ok) return cmd;
      description = cmd.value.description;
      // A fresh data directory each run: embedded defaults start from nothing.
      const dataDir = mkdtempSync(join(tmpdir(), 'hypha-bench-cold-'));
      try {
        times.push(await timeToReady(cmd.value.argv, cmd.value.cwd, port, { HYPHA_DATA_DIR: dataDir }));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    return { ok: true, value: { times, description } };
  });
}

export const coldStart: Benchmark = {
  id: '8',
  title: 'Cold start to /health/readiness',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const runs = ctx.quick ? 1 : 5;
    const floor = await floorRuns(runs);
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
        `floor runs (ms): ${floor.map((t) => t.toFixed(0)).join(', ')}; both start through the same node flags (${childNodeFlags.join(' ')} for TypeScript sources)`,
        ...(mine.ok ? [`ours runs (ms): ${mine.value.times.map((t) => t.toFixed(0)).join(', ')}; command: ${mine.value.description}`] : []),
      ],
    };
  },
};
