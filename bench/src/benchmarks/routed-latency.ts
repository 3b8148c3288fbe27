/** 1. Routed service call, 64 B argument, one call in flight: p50/p99 vs the raw relay. */
import { startRequiredChild } from '../harness/child.js';
import { withCpu } from '../harness/proc-cpu.js';
import { phase, type Phase } from '../harness/durations.js';
import { measureLatency } from '../harness/measure.js';
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import type { LatencySummary } from '../harness/stats.js';
import type { BenchContext, BenchReport, Benchmark, Row } from '../harness/types.js';
import { echoPair, loadConnect, type ClientKind } from '../clients/hypha-clients.js';
import { ARG_64B, ARG_64B_BYTES } from '../clients/payload.js';
import { connectEchoClient } from '../clients/raw-peer.js';
import { startRelayPair } from '../clients/relay-pair.js';
import { startOurServer } from '../servers/our-server.js';

/** A latency run plus the server process's CPU time per call during it. */
type Measured = LatencySummary & { serverCpuUsPerCall: number };

const fmt = (s: LatencySummary): string => `p50 ${s.p50.toFixed(1)} µs, p99 ${s.p99.toFixed(1)} µs, ${s.count} calls`;
const fmtCpu = (s: Measured): string => `${fmt(s)}, server CPU ${s.serverCpuUsPerCall.toFixed(1)} µs/call`;

/** Warms up first, then measures latency and the server's CPU time over the measured calls only. */
async function measured(pid: number, call: () => Promise<unknown>, p: Phase): Promise<Measured> {
  const end = performance.now() + p.warmupMs;
  while (performance.now() < end) await call();
  const { result, cpuMs } = await withCpu(pid, () => measureLatency(call, { warmupMs: 0, durationMs: p.durationMs }));
  return { ...result, serverCpuUsPerCall: (cpuMs * 1000) / result.count };
}

async function echoFloor(ctx: BenchContext): Promise<LatencySummary> {
  const server = await startRequiredChild({ script: 'floors/bare-ws-server.ts' });
  try {
    const client = await connectEchoClient(`ws://127.0.0.1:${String(server.info.port)}`);
    const result = await measureLatency(() => client.roundTrip(ARG_64B_BYTES), phase(ctx, 4));
    await client.close();
    return result;
  } finally {
    await server.stop();
  }
}

async function relayFloor(ctx: BenchContext): Promise<Measured> {
  const pair = await startRelayPair();
  try {
    return await measured(pair.relay.pid, () => pair.echo(ARG_64B), phase(ctx, 4));
  } finally {
    await pair.close();
  }
}

export async function routedLatencyOurs(ctx: BenchContext, kind: ClientKind): Promise<Outcome<Measured>> {
  return attempt(`routed latency (${kind})`, async () => {
    const connect = await loadConnect(kind);
    if (!connect.ok) return connect;
    const server = await startOurServer();
    if (!server.ok) return server;
    try {
      const pair = await echoPair(connect.value, server.value.httpUrl);
      try {
        const pid = server.value.child.pid;
        return { ok: true, value: await measured(pid, () => pair.echo(ARG_64B), phase(ctx, 4)) };
      } finally {
        await pair.close();
      }
    } finally {
      await server.value.child.stop();
    }
  });
}

export const routedLatency: Benchmark = {
  id: '1',
  title: 'Routed call, 64 B, 1 in flight',
  async run(ctx): Promise<BenchReport> {
    const echo = await echoFloor(ctx);
    const relay = await relayFloor(ctx);
    const ours = await routedLatencyOurs(ctx, 'ours');
    const npm = await routedLatencyOurs(ctx, 'npm');
    const floor50 = { label: 'raw ws relay', value: relay.p50 };
    const floor99 = { label: 'raw ws relay', value: relay.p99 };
    const rows: Row[] = [
      { metric: 'p50 latency', unit: 'µs', floor: floor50, ours: figure('@hypha/rpc ↔ our server', ours, (s) => s.p50), target: { kind: 'ratio-max', value: 1.5 } },
      { metric: 'p99 latency', unit: 'µs', floor: floor99, ours: figure('@hypha/rpc ↔ our server', ours, (s) => s.p99) },
      { metric: 'p50 latency', unit: 'µs', floor: floor50, ours: figure('npm hypha-rpc ↔ our server', npm, (s) => s.p50) },
      { metric: 'p99 latency', unit: 'µs', floor: floor99, ours: figure('npm hypha-rpc ↔ our server', npm, (s) => s.p99) },
    ];
    return {
      id: this.id,
      title: this.title,
      rows,
      notes: [
        `raw ws echo (2 frames): ${fmt(echo)}`,
        `raw ws relay (4 frames, segment 1 decoded, stamped and re-encoded per hop): ${fmtCpu(relay)}`,
        ...(ours.ok ? [`@hypha/rpc both ends: ${fmtCpu(ours.value)}`] : []),
        ...(npm.ok ? [`npm hypha-rpc both ends: ${fmtCpu(npm.value)}`] : []),
        'Server CPU = user + system time of the server process (/proc/<pid>/stat) during the measured phase, divided by the calls made; it is less sensitive to load from other processes than latency.',
        'The 1.5× target applies to our client and server; the npm-client row is for comparison.',
      ],
    };
  },
};
