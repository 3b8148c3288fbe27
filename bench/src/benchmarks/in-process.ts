/**
 * 5. In-process: two `@hypha/rpc` peers on the in-memory pair, µs per call. Our figure comes from
 * src/inprocess.ts (which also measures hypha-rpc's RPC class on the same pair); the floor moves
 * the same msgpack frames through a microtask hop with no RPC machinery, timed the same way.
 */
import { attempt, figure, type Outcome } from '../harness/not-available.js';
import type { BenchContext, BenchReport, Benchmark } from '../harness/types.js';
import { memoryMsgpackPair } from '../floors/memory-msgpack-pair.js';
import { ARG_64B_BYTES } from '../clients/payload.js';
import type { InProcessTimes } from '../inprocess.js';

const BATCH = 100;

async function floorTimes(calls: number, warmup: number): Promise<InProcessTimes> {
  const pair = memoryMsgpackPair();
  for (let i = 0; i < warmup; i++) await pair.call(ARG_64B_BYTES);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await pair.call(ARG_64B_BYTES);
  const sequential = Number(process.hrtime.bigint() - start) / calls / 1000;
  const pStart = process.hrtime.bigint();
  for (let i = 0; i < calls; i += BATCH) await Promise.all(Array.from({ length: BATCH }, () => pair.call(ARG_64B_BYTES)));
  const pipelined = Number(process.hrtime.bigint() - pStart) / calls / 1000;
  return { sequential, pipelined };
}

async function peers(kind: 'ours' | 'reference', calls: number, warmup: number): Promise<Outcome<InProcessTimes>> {
  return attempt(`in-process (${kind})`, async () => {
    const mod = await import('../inprocess.js');
    return { ok: true, value: await mod.measure(kind === 'ours' ? mod.makeOurPeer : mod.makeReferencePeer, calls, warmup) };
  });
}

export const inProcess: Benchmark = {
  id: '5',
  title: 'In-process call (in-memory pair)',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const calls = ctx.quick ? 3_000 : 50_000;
    const warmup = ctx.quick ? 500 : 5_000;
    const floor = await floorTimes(calls, warmup);
    const ours = await peers('ours', calls, warmup);
    const reference = await peers('reference', calls, warmup);
    const floorLabel = 'msgpack frames, microtask hop';
    return {
      id: this.id,
      title: this.title,
      rows: [
        { metric: 'time per call, 1 in flight', unit: 'µs', floor: { label: floorLabel, value: floor.sequential }, ours: figure('@hypha/rpc RPC pair', ours, (t) => t.sequential), target: { kind: 'max', value: 10 } },
        { metric: `time per call, ${BATCH} in flight`, unit: 'µs', floor: { label: floorLabel, value: floor.pipelined }, ours: figure('@hypha/rpc RPC pair', ours, (t) => t.pipelined) },
        { metric: 'time per call, 1 in flight', unit: 'µs', floor: { label: floorLabel, value: floor.sequential }, ours: figure('npm hypha-rpc RPC pair', reference, (t) => t.sequential) },
        { metric: `time per call, ${BATCH} in flight`, unit: 'µs', floor: { label: floorLabel, value: floor.pipelined }, ours: figure('npm hypha-rpc RPC pair', reference, (t) => t.pipelined) },
      ],
      notes: [`${calls} calls per figure after ${warmup} warm-up calls, 64-byte Uint8Array argument; both RPC classes run on @hypha/rpc's createLinkedPair.`],
    };
  },
};
