/** Measuring loops: one call in flight (latency) and many in flight (throughput). */
import { summarizeNs, type LatencySummary } from './stats.js';

export type Call = () => Promise<unknown>;

export interface LoopOptions {
  warmupMs: number;
  durationMs: number;
}

async function runFor(call: Call, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) await call();
}

/** Calls `call` back to back, one at a time, and summarises the round-trip latency. */
export async function measureLatency(call: Call, opts: LoopOptions): Promise<LatencySummary> {
  await runFor(call, opts.warmupMs);
  const samples: number[] = [];
  const end = performance.now() + opts.durationMs;
  while (performance.now() < end) {
    const t0 = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - t0));
  }
  return summarizeNs(samples);
}

export interface Throughput {
  callsPerSec: number;
  completed: number;
  seconds: number;
}

/** Keeps `inFlight` calls outstanding for the duration and counts completions per second. */
export async function measureThroughput(
  call: Call,
  opts: LoopOptions & { inFlight: number },
): Promise<Throughput> {
  if (!(opts.inFlight >= 1)) throw new Error(`measureThroughput: inFlight must be ≥ 1, got ${opts.inFlight}`);
  const worker = async (end: number, count: { n: number }): Promise<void> => {
    while (performance.now() < end) {
      await call();
      count.n++;
    }
  };
  const warm = { n: 0 };
  const warmEnd = performance.now() + opts.warmupMs;
  await Promise.all(Array.from({ length: opts.inFlight }, () => worker(warmEnd, warm)));
  const counted = { n: 0 };
  const t0 = performance.now();
  const end = t0 + opts.durationMs;
  await Promise.all(Array.from({ length: opts.inFlight }, () => worker(end, counted)));
  const seconds = (performance.now() - t0) / 1000;
  return { callsPerSec: counted.n / seconds, completed: counted.n, seconds };
}
