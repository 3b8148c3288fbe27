/**
 * 4. A 100 MB binary argument through the server (chunked): MB/s and the server's peak RSS
 * growth. The floor sends the same bytes through the raw relay the way hypha-rpc chunks them:
 * 256 KiB `message_cache.set` calls, 30 in flight, each answered, then one `process` call.
 */
import { sampleRss } from '../harness/proc-memory.js';
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import type { BenchContext, BenchReport, Benchmark, Row } from '../harness/types.js';
import { echoPair, loadConnect, type ClientKind } from '../clients/hypha-clients.js';
import { startRelayPair } from '../clients/relay-pair.js';
import { startOurServer } from '../servers/our-server.js';

const MB = 1024 * 1024;
const CHUNK = 256 * 1024;
const IN_FLIGHT = 30;

interface Transfer {
  mbPerSec: number;
  rssGrowthMB: number;
  seconds: number;
  /** RSS growth during the first (untimed) transfer, while the process's heap sizes itself. */
  coldRssGrowthMB: number;
}

/**
 * Runs `transfer` twice: the first pass warms the process up (V8 grows its young generation to
 * its working size, ~32 MB, under this allocation rate, for the floor as much as for ours), the
 * second is the measured one. Both RSS growths are reported.
 */
async function warmThenMeasure(pid: number, transfer: () => Promise<void>): Promise<Transfer> {
  const cold = sampleRss(pid);
  await transfer();
  const coldRss = cold.stop();
  const sampler = sampleRss(pid);
  const t0 = performance.now();
  await transfer();
  const seconds = (performance.now() - t0) / 1000;
  const rss = sampler.stop();
  return { mbPerSec: 0, seconds, rssGrowthMB: (rss.peak - rss.baseline) / MB, coldRssGrowthMB: (coldRss.peak - coldRss.baseline) / MB };
}

async function relayFloor(bytes: Uint8Array): Promise<Transfer> {
  const pair = await startRelayPair();
  try {
    const received = new Uint8Array(bytes.length);
    let total = 0;
    pair.callee.serve((args) => {
      if (args[0] === 'process') return total;
      const [, idx, chunk] = args as [string, number, Uint8Array];
      received.set(chunk, idx * CHUNK);
      total += chunk.length;
      return null;
    });
    const chunks = Math.ceil(bytes.length / CHUNK);
    const transfer = async (): Promise<void> => {
      total = 0;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < chunks) {
          const idx = next++;
          await pair.caller.call(pair.callee.address, 'services.built-in.message_cache.set', ['m1', idx, bytes.subarray(idx * CHUNK, (idx + 1) * CHUNK)]);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker()));
      const got = await pair.caller.call(pair.callee.address, 'services.built-in.message_cache.process', ['process']);
      if (got !== bytes.length) throw new Error(`relay floor: callee received ${String(got)} of ${bytes.length} bytes`);
    };
    const t = await warmThenMeasure(pair.relay.pid, transfer);
    return { ...t, mbPerSec: bytes.length / MB / t.seconds };
  } finally {
    await pair.close();
  }
}

async function ours(bytes: Uint8Array, kind: ClientKind): Promise<Outcome<Transfer>> {
  return attempt(`large binary (${kind})`, async () => {
    const connect = await loadConnect(kind);
    if (!connect.ok) return connect;
    const server = await startOurServer();
    if (!server.ok) return server;
    try {
      const pair = await echoPair(connect.value, server.value.httpUrl, { echo: (data: never) => (data as Uint8Array).byteLength });
      try {
        const transfer = async (): Promise<void> => {
          const got = await pair.echo(bytes);
          if (got !== bytes.length) throw new Error(`provider received ${String(got)} of ${bytes.length} bytes`);
        };
        const t = await warmThenMeasure(server.value.child.pid, transfer);
        return { ok: true, value: { ...t, mbPerSec: bytes.length / MB / t.seconds } };
      } finally {
        await pair.close();
      }
    } finally {
      await server.value.child.stop();
    }
  });
}

export const largeBinary: Benchmark = {
  id: '4',
  title: 'Large binary argument (chunked)',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const size = (ctx.quick ? 8 : 100) * MB;
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) bytes[i] = i & 0xff;
    const floor = await relayFloor(bytes);
    const mine = await ours(bytes, 'ours');
    const npm = await ours(bytes, 'npm');
    const fewChunksMB = (8 * CHUNK) / MB;
    const rows: Row[] = [
      { metric: `${size / MB} MB transfer rate`, unit: 'MB/s', floor: { label: 'raw ws relay', value: floor.mbPerSec }, ours: figure('@hypha/rpc ↔ our server', mine, (t) => t.mbPerSec), target: { kind: 'min', value: 100 } },
      { metric: 'server peak RSS growth', unit: 'MB', floor: { label: 'raw ws relay', value: floor.rssGrowthMB }, ours: figure('@hypha/rpc ↔ our server', mine, (t) => t.rssGrowthMB), target: { kind: 'max', value: fewChunksMB } },
      { metric: `${size / MB} MB transfer rate`, unit: 'MB/s', floor: { label: 'raw ws relay', value: floor.mbPerSec }, ours: figure('npm hypha-rpc ↔ our server', npm, (t) => t.mbPerSec) },
      { metric: 'server peak RSS growth', unit: 'MB', floor: { label: 'raw ws relay', value: floor.rssGrowthMB }, ours: figure('npm hypha-rpc ↔ our server', npm, (t) => t.rssGrowthMB) },
    ];
    return {
      id: this.id,
      title: this.title,
      rows,
      notes: [
        `"A few chunks" is taken as 8 × 256 KiB = ${fewChunksMB} MB of server RSS growth (peak during the transfer minus RSS before it; VmRSS sampled every 5 ms and the kernel's VmHWM).`,
        `Each figure is the second of two back-to-back transfers on the same connections; RSS growth during the first (untimed) one, while the server process grows its heap: raw ws relay ${floor.coldRssGrowthMB.toFixed(1)} MB${mine.ok ? `, ours (@hypha/rpc) ${mine.value.coldRssGrowthMB.toFixed(1)} MB` : ''}${npm.ok ? `, ours (npm hypha-rpc) ${npm.value.coldRssGrowthMB.toFixed(1)} MB` : ''}.`,
        `raw ws relay: ${(size / MB).toFixed(0)} MB in ${floor.seconds.toFixed(2)} s`,
      ],
    };
  },
};
