/** 2. The routed call pipelined (64 in flight): calls per second vs the raw relay. */
import { phase } from '../harness/durations.js';
import { measureThroughput, type Throughput } from '../harness/measure.js';
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import type { BenchContext, BenchReport, Benchmark } from '../harness/types.js';
import { echoPair, loadConnect, type ClientKind } from '../clients/hypha-clients.js';
import { ARG_64B } from '../clients/payload.js';
import { startRelayPair } from '../clients/relay-pair.js';
import { startOurServer } from '../servers/our-server.js';

const IN_FLIGHT = 64;

async function relayFloor(ctx: BenchContext): Promise<Throughput> {
  const pair = await startRelayPair();
  try {
    return await measureThroughput(() => pair.echo(ARG_64B), { ...phase(ctx, 3), inFlight: IN_FLIGHT });
  } finally {
    await pair.close();
  }
}

async function ours(ctx: BenchContext, kind: ClientKind): Promise<Outcome<Throughput>> {
  return attempt(`routed throughput (${kind})`, async () => {
    const connect = await loadConnect(kind);
    if (!connect.ok) return connect;
    const server = await startOurServer();
    if (!server.ok) return server;
    try {
      const pair = await echoPair(connect.value, server.value.httpUrl);
      try {
        return { ok: true, value: await measureThroughput(() => pair.echo(ARG_64B), { ...phase(ctx, 3), inFlight: IN_FLIGHT }) };
      } finally {
        await pair.close();
      }
    } finally {
      await server.value.child.stop();
    }
  });
}

export const routedThroughput: Benchmark = {
  id: '2',
  title: `Routed call, 64 B, ${IN_FLIGHT} in flight`,
  async run(ctx): Promise<BenchReport> {
    const relay = await relayFloor(ctx);
    const mine = await ours(ctx, 'ours');
    const npm = await ours(ctx, 'npm');
    const floor = { label: 'raw ws relay', value: relay.callsPerSec };
    return {
      id: this.id,
      title: this.title,
      rows: [
        { metric: 'throughput', unit: 'calls/s', floor, ours: figure('@hypha/rpc ↔ our server', mine, (t) => t.callsPerSec), target: { kind: 'ratio-min', value: 0.5 } },
        { metric: 'throughput', unit: 'calls/s', floor, ours: figure('npm hypha-rpc ↔ our server', npm, (t) => t.callsPerSec) },
      ],
      notes: [`raw ws relay: ${relay.completed} calls in ${relay.seconds.toFixed(2)} s`, 'Caller and callee share the bench process; the server runs in its own process.'],
    };
  },
};
