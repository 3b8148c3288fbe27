/**
 * A real server process: `node --import tsx apps/server/src/main.ts` (one process, so SIGKILL
 * really kills the server), bound to port 0 on 127.0.0.1; its URL comes from the structured
 * `hypha-server-listening` line main prints.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const SERVER_DIR = fileURLToPath(new URL('../../../apps/server/', import.meta.url));

export interface ServerProcessOptions {
  redisUri: string;
  keyPrefix: string;
  rootToken: string;
  jwtSecret: string;
  /** HYPHA_CLUSTER_HEARTBEAT_INTERVAL in seconds. */
  heartbeatSeconds: number;
  /**
   * The cluster's shared public address (the load balancer's). Instances must agree on it: peers
   * stamp it as `_rserver` on their functions, and a function from "another server" is proxied by
   * the manager instead of being called directly (same as the reference).
   */
  publicBaseUrl: string;
  serverId?: string;
}

export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly serverId: string,
    readonly url: string,
    readonly pid: number,
    private readonly logs: string[],
  ) {}

  static async start(o: ServerProcessOptions, startTimeoutMs = 30_000): Promise<ServerProcess> {
    const args = ['--import', 'tsx', '--conditions=@hypha/source', 'src/main.ts', '--port', '0', '--host', '127.0.0.1'];
    args.push('--redis-uri', o.redisUri, '--redis-key-prefix', o.keyPrefix, '--root-token', o.rootToken);
    args.push('--public-base-url', o.publicBaseUrl);
    if (o.serverId) args.push('--server-id', o.serverId);
    // Each instance keeps its embedded state (PGlite is single-process) in a directory of its own.
    const dataDir = mkdtempSync(join(tmpdir(), 'hypha-cluster-'));
    args.push('--data-dir', dataDir);
    const child = spawn(process.execPath, args, {
      cwd: SERVER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HYPHA_JWT_SECRET: o.jwtSecret,
        HYPHA_CLUSTER_HEARTBEAT_INTERVAL: String(o.heartbeatSeconds),
      },
    });
    const logs: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
    const lines = createInterface({ input: child.stdout! });
    const ready = await new Promise<{ server_id: string; url: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`server did not report listening within ${startTimeoutMs} ms`)), startTimeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
        reject(new Error(`${err.message}\n--- server stderr ---\n${logs.join('\n')}`));
      };
      child.once('exit', (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal})`)));
      lines.on('line', (line) => {
        if (!line.startsWith('{')) return;
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.event !== 'hypha-server-listening') return;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(msg as unknown as { server_id: string; url: string; pid: number });
      });
    });
    child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    return new ServerProcess(child, ready.server_id, ready.url, ready.pid, logs);
  }

  /** Lines the server wrote on stderr (its structured log). */
  get log(): readonly string[] {
    return this.logs;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal without waiting (SIGSTOP / SIGCONT to simulate a stalled server). */
  signal(signal: NodeJS.Signals): void {
    if (!this.child.kill(signal)) throw new Error(`could not send ${signal} to server ${this.serverId} (pid ${this.pid})`);
  }

  /** Sends `signal` and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
