/** 2. The routed call pipelined (64 in flight): calls per second vs the raw relay. */
import { phase } from '../harness/durations.js';
import { measureThroughput, type Throughput } from '../harness/measure.js';
import { cpuMs } from '../harness/proc-cpu.js';
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import type { BenchContext, BenchReport, Benchmark } from '../harness/types.js';
import { echoPair, loadConnect, type ClientKind } from '../clients/hypha-clients.js';
import { ARG_64B } from '../clients/payload.js';
import { startRelayPair } from '../clients/relay-pair.js';
import { startOurServer } from '../servers/our-server.js';

const IN_FLIGHT = 64;

/** A run's throughput plus where the CPU went: the server process, and this (the clients') process. */
interface Loaded extends Throughput {
  /** Share of one core the server used during the run. */
  serverCore: number;
  /** Share of one core this process (caller and callee clients) used. */
  clientCore: number;
}

async function loaded(serverPid: number | null, run: () => Promise<Throughput>): Promise<Loaded> {
  const server0 = serverPid === null ? 0 : cpuMs(serverPid);
  const client0 = process.cpuUsage();
  const t = await run();
  const client = process.cpuUsage(client0);
  return {
    ...t,
    serverCore: serverPid === null ? 0 : (cpuMs(serverPid) - server0) / 1000 / t.seconds,
    clientCore: (client.user + client.system) / 1e6 / t.seconds,
  };
}

async function relayFloor(ctx: BenchContext): Promise<Throughput> {
  const pair = await startRelayPair();
  try {
    return await measureThroughput(() => pair.echo(ARG_64B), { ...phase(ctx, 3), inFlight: IN_FLIGHT });
  } finally {
    await pair.close();
  }
}

async function ours(ctx: BenchContext, kind: ClientKind): Promise<Outcome<Loaded>> {
  return attempt(`routed throughput (${kind})`, async () => {
    const connect = await loadConnect(kind);
    if (!connect.ok) return connect;
    const server = await startOurServer();
    if (!server.ok) return server;
    try {
      const pair = await echoPair(connect.value, server.value.httpUrl);
      try {
        const run = () => measureThroughput(() => pair.echo(ARG_64B), { ...phase(ctx, 3), inFlight: IN_FLIGHT });
        return { ok: true, value: await loaded(server.value.child.pid, run) };
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
      notes: [
        `raw ws relay: ${relay.completed} calls in ${relay.seconds.toFixed(2)} s`,
        'Caller and callee share the bench process; the server runs in its own process.',
        ...([['@hypha/rpc', mine], ['npm hypha-rpc', npm]] as const).flatMap(([name, r]) =>
          r.ok ? [`${name}: the server used ${(r.value.serverCore * 100).toFixed(0)}% of a core, the clients' process ${(r.value.clientCore * 100).toFixed(0)}% (a client near 100% is the limit, not the server)`] : [],
        ),
      ],
    };
  },
};
