/**
 * A throw-away `redis-server` on its own port (no persistence), so a test can kill and restart
 * Redis without touching the machine's shared instance on 6379.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { waitUntil } from './poll.js';
import { redisPing } from './redis-cli.js';

export class PrivateRedis {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'hypha-cluster-redis-'));
  private stderr = '';

  private constructor(readonly port: number) {}

  /** Starts one on `port` (default: a free port). */
  static async start(port?: number): Promise<PrivateRedis> {
    const redis = new PrivateRedis(port ?? (await freePort()));
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts) the server on the same port and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`redis-server on port ${this.port} is already running`);
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child = child;
    await waitUntil(`redis-server on port ${this.port} to answer PING${this.stderr ? `: ${this.stderr}` : ''}`, () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}: ${this.stderr}`);
      return redisPing(this.port);
    }, { timeoutMs: 10_000, intervalMs: 50 });
  }

  /** SIGKILL, then waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
