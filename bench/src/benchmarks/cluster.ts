/**
 * 7. Cluster: the routed call across two instances through Redis vs within one instance. The
 * floor pair is two raw relays bridged by Redis pub/sub; our pair is two servers on one Redis.
 */
import { createClient } from 'redis';
import { phase } from '../harness/durations.js';
import { measureLatency } from '../harness/measure.js';
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import type { LatencySummary } from '../harness/stats.js';
import type { BenchContext, BenchReport, Benchmark, Row } from '../harness/types.js';
import { echoPair, loadConnect } from '../clients/hypha-clients.js';
import { ARG_64B } from '../clients/payload.js';
import { startRelayCluster, startRelayPair, type RelayPair } from '../clients/relay-pair.js';
import { startOurServer } from '../servers/our-server.js';

export const REDIS_URL = process.env.HYPHA_BENCH_REDIS ?? 'redis://127.0.0.1:6379';

/** Removes every Redis key the run's servers wrote under `prefix`. */
async function deleteKeys(prefix: string): Promise<number> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    let removed = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) removed += await client.del(keys);
    }
    return removed;
  } finally {
    await client.quit();
  }
}

async function relay(ctx: BenchContext, start: () => Promise<RelayPair>): Promise<LatencySummary> {
  const pair = await start();
  try {
    return await measureLatency(() => pair.echo(ARG_64B), phase(ctx, 4));
  } finally {
    await pair.close();
  }
}

async function ours(ctx: BenchContext, instances: 1 | 2, prefix: string): Promise<Outcome<LatencySummary>> {
  return attempt(`cluster (ours, ${instances})`, async () => {
    const connect = await loadConnect('ours');
    if (!connect.ok) return connect;
    const redis = instances === 2 ? { redis: REDIS_URL, redisPrefix: prefix } : {};
    const a = await startOurServer(redis);
    if (!a.ok) return a;
    try {
      const b = instances === 2 ? await startOurServer(redis) : a;
      if (!b.ok) return b;
      try {
        const pair = await echoPair(connect.value, a.value.httpUrl, undefined, b.value.httpUrl);
        try {
          return { ok: true, value: await measureLatency(() => pair.echo(ARG_64B), phase(ctx, 4)) };
        } finally {
          await pair.close();
        }
      } finally {
        if (b !== a) await b.value.child.stop();
      }
    } finally {
      await a.value.child.stop();
    }
  });
}

export const cluster: Benchmark = {
  id: '7',
  title: 'Cluster: 2 instances via Redis',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const prefix = `hypha-bench-${process.pid}-${Date.now().toString(36)}`;
    const single = await relay(ctx, startRelayPair);
    const bridged = await relay(ctx, () => startRelayCluster(REDIS_URL, prefix));
    const one = await ours(ctx, 1, prefix);
    const two = await ours(ctx, 2, prefix);
    const removed = await deleteKeys(prefix);
    const rows: Row[] = [
      { metric: 'p50 latency, 2 instances', unit: 'µs', floor: { label: 'raw relays via Redis', value: bridged.p50 }, ours: figure('our servers via Redis', two, (s) => s.p50) },
      { metric: 'p99 latency, 2 instances', unit: 'µs', floor: { label: 'raw relays via Redis', value: bridged.p99 }, ours: figure('our servers via Redis', two, (s) => s.p99) },
      { metric: 'p50 latency, 2 instances vs 1', unit: 'µs', floor: one.ok ? { label: 'our server, 1 instance', value: one.value.p50 } : { label: 'our server, 1 instance', unavailable: one.reason, failed: one.failed }, ours: figure('our servers via Redis', two, (s) => s.p50) },
    ];
    return {
      id: this.id,
      title: this.title,
      rows,
      notes: [
        `raw relay, 1 instance: p50 ${single.p50.toFixed(1)} µs, p99 ${single.p99.toFixed(1)} µs; via Redis (${REDIS_URL}): p50 ${bridged.p50.toFixed(1)} µs, p99 ${bridged.p99.toFixed(1)} µs`,
        'Provider on instance A, caller on instance B; no target is set for the cluster hop.',
        `Redis keys under the run's prefix removed afterwards: ${removed}.`,
      ],
    };
  },
};
