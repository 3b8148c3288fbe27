/**
 * In-process RPC cost: two @hypha/rpc peers on the in-memory linked pair, sequential calls
 * of a function with a 64-byte payload. Prints µs per call (target ≤ 10 µs), next to
 * hypha-rpc's own RPC class measured the same way in the same run. Besides wall time it prints
 * the process CPU time per sequential call, which varies far less on a shared, loaded machine.
 *
 *   pnpm --filter @hypha/bench exec tsx src/inprocess.ts
 *   (measures the built dist of @hypha/rpc; add --conditions=@hypha/source to measure src/)
 *
 * `pnpm bench` runs the same measurement as benchmark 5 (benchmarks/in-process.ts), next to
 * its floor; the exports below are what it uses.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RPC, createLinkedPair } from '@hypha/rpc';
import * as hyphaRpc from 'hypha-rpc';

/** hypha-rpc's own RPC class, measured on the same pair for comparison. */
const RefRPC = (hyphaRpc as unknown as { RPC: new (...args: any[]) => any }).RPC;

const WARMUP = 2_000;
const CALLS = Number(process.env.CALLS ?? 20_000);

export type Peer = { add_service(api: object): unknown; get_remote_service(uri: string, config?: object): Promise<any>; close(): void };

export interface InProcessTimes {
  /** µs per call, one call at a time. */
  sequential: number;
  /** µs per call, batches of 100 in flight. */
  pipelined: number;
  /** Process CPU time (user + system) in µs per sequential call. */
  sequentialCpu?: number;
}

export const makeOurPeer = (conn: unknown, id: string): Peer => new RPC(conn as never, { client_id: id, workspace: 'bench' });
export const makeReferencePeer = (conn: unknown, id: string): Peer => new RefRPC(conn, { client_id: id, workspace: 'bench', logger: null });

export async function measure(make: (conn: unknown, id: string) => Peer, calls = CALLS, warmup = WARMUP): Promise<InProcessTimes> {
  const [a, b] = createLinkedPair();
  const server = make(a, 'server');
  const client = make(b, 'client');
  server.add_service({ id: 'echo', config: { visibility: 'public' }, echo: (x: Uint8Array) => x });
  const svc = await client.get_remote_service('bench/server:echo', { _no_retry: true });
  const payload = new Uint8Array(64).fill(7);
  for (let i = 0; i < warmup; i++) await svc.echo(payload);
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await svc.echo(payload);
  const sequential = Number(process.hrtime.bigint() - start) / calls / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const sequentialCpu = (cpu.user + cpu.system) / calls;
  const batch = 100;
  const pStart = process.hrtime.bigint();
  for (let i = 0; i < calls; i += batch) await Promise.all(Array.from({ length: batch }, () => svc.echo(payload)));
  const pipelined = Number(process.hrtime.bigint() - pStart) / calls / 1000;
  client.close();
  server.close();
  return { sequential, pipelined, sequentialCpu };
}

async function main(): Promise<void> {
  const ours = await measure(makeOurPeer);
  const ref = await measure(makeReferencePeer);
  console.log(
    JSON.stringify({
      benchmark: 'inprocess-rpc-call',
      calls: CALLS,
      payload_bytes: 64,
      target_us: 10,
      ours_us_per_call_sequential: Number(ours.sequential.toFixed(2)),
      ours_us_per_call_pipelined: Number(ours.pipelined.toFixed(2)),
      ours_cpu_us_per_call_sequential: Number(ours.sequentialCpu!.toFixed(2)),
      hypha_rpc_us_per_call_sequential: Number(ref.sequential.toFixed(2)),
      hypha_rpc_us_per_call_pipelined: Number(ref.pipelined.toFixed(2)),
      hypha_rpc_cpu_us_per_call_sequential: Number(ref.sequentialCpu!.toFixed(2)),
    }),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
