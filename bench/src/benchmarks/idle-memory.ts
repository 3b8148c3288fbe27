/**
 * 3. Memory per idle connection: server heap and RSS at 1,000 and 10,000 connections, our
 * server vs a bare `ws` server holding the same connections. Servers run in child processes
 * (measured there after a forced GC); the connections live in the bench process.
 */
import type { ChildHandle } from '../harness/child.js';
import { startRequiredChild } from '../harness/child.js';
import type { MemoryUsage } from '../harness/child-protocol.js';
import { fdLimit } from '../harness/fd-limit.js';
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import type { BenchContext, BenchReport, Benchmark, Row } from '../harness/types.js';
import { idleConnections } from '../clients/idle-connections.js';
import { startOurServer } from '../servers/our-server.js';

interface PerConnection {
  connections: number;
  heapBytes: number;
  rssBytes: number;
}

const KB = 1024;
/** Spare descriptors for everything that is not a client socket. */
const FD_SPARE = 256;

async function measureAt(child: ChildHandle, url: string, counts: number[]): Promise<PerConnection[]> {
  const base = await child.request<MemoryUsage>('memory');
  const conns = idleConnections(url);
  const results: PerConnection[] = [];
  try {
    for (const n of counts) {
      await conns.growTo(n);
      const m = await child.request<MemoryUsage>('memory');
      results.push({ connections: n, heapBytes: (m.heapUsed - base.heapUsed) / n, rssBytes: (m.rss - base.rss) / n });
    }
  } finally {
    await conns.closeAll();
  }
  return results;
}

function childFdProblem(child: ChildHandle, needed: number): string | null {
  const limit = fdLimit(child.pid);
  return limit.soft < needed ? `server process may open ${limit.soft} files (hard limit ${limit.hard}), needs ${needed}` : null;
}

export const idleMemory: Benchmark = {
  id: '3',
  title: 'Memory per idle connection',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const wanted = ctx.quick ? [100, 500] : [1000, 10000];
    const notes: string[] = [];
    // The bench process holds the client end of every connection.
    const own = fdLimit();
    const counts = wanted.filter((n) => n + FD_SPARE <= own.soft);
    for (const n of wanted.filter((w) => !counts.includes(w))) {
      notes.push(`${n} connections skipped: the bench process may open only ${own.soft} files; raise it with \`ulimit -n ${n + FD_SPARE}\``);
    }
    const top = Math.max(0, ...counts);
    const openFiles = top + FD_SPARE;

    const bare = await startRequiredChild({ script: 'floors/bare-ws-server.ts', exposeGc: true, openFiles });
    let floor: PerConnection[];
    try {
      const problem = childFdProblem(bare, openFiles);
      if (problem) throw new Error(`bare ws server: ${problem}`);
      floor = await measureAt(bare, `ws://127.0.0.1:${String(bare.info.port)}/ws`, counts);
    } finally {
      await bare.stop();
    }

    const ours: Outcome<PerConnection[]> = await attempt('idle memory (ours)', async () => {
      const server = await startOurServer({ exposeGc: true, openFiles });
      if (!server.ok) return server;
      try {
        const problem = childFdProblem(server.value.child, openFiles);
        if (problem) return { ok: false, reason: problem, failed: false };
        return { ok: true, value: await measureAt(server.value.child, server.value.wsUrl, counts) };
      } finally {
        await server.value.child.stop();
      }
    });

    const rows: Row[] = [];
    counts.forEach((n, i) => {
      const label = n.toLocaleString('en-US');
      rows.push({
        metric: `server heap per connection @ ${label}`,
        unit: 'KB',
        floor: { label: 'bare ws server', value: floor[i].heapBytes / KB },
        ours: figure('our server', ours, (v) => v[i].heapBytes / KB),
        target: { kind: 'max', value: 20 },
      });
      rows.push({
        metric: `server RSS per connection @ ${label}`,
        unit: 'KB',
        floor: { label: 'bare ws server', value: floor[i].rssBytes / KB },
        ours: figure('our server', ours, (v) => v[i].rssBytes / KB),
      });
    });
    notes.push(
      'Each connection completes the handshake (first text frame, anonymous, no workspace) and then stays idle; a full client would also register its built-in service.',
      'Heap = V8 heapUsed after forced GC; deltas are from the server with no connections.',
    );
    return { id: this.id, title: this.title, rows, notes };
  },
};
