/**
 * Vector search and queue figures, each next to its floor from the same run:
 * - HNSW search p50 vs an exact (brute-force) scan of the same collection (`exact: true`, the
 *   same engine call without the index), with recall@10 of HNSW against the exact answer, at the
 *   engine's default candidate list and at a larger `ef_search`;
 * - add_vectors throughput (engine level, batches of 500, HNSW index maintained on insert);
 * - queue push→pop latency (RedisQueueBackend) vs raw Redis LPUSH + BRPOP.
 * Data: `clustered` (default; points around 1,000 random centres, as embeddings of related texts
 * gather) or `uniform` (points spread evenly on the sphere: the worst case for any graph index).
 * Usage: node --conditions=@hypha/source --import tsx src/standalone/vectors-queue.ts
 *   [--quick] [--n N] [--dim D] [--data clustered|uniform] [--ef E] [--skip-queue]
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { vector } from '@electric-sql/pglite-pgvector';
import { createDatabase } from '@hypha/db';
import { RedisQueueBackend } from '@hypha/queue';
import { PgVectorEngine } from '@hypha/vectors';
import type { VectorRecord } from '@hypha/vectors';
import { createClient } from 'redis';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = opt('--n', quick ? 2_000 : 100_000);
const DIM = opt('--dim', quick ? 64 : 384);
const EF = opt('--ef', 200);
const DATA = args.includes('--data') ? args[args.indexOf('--data') + 1]! : 'clustered';
if (DATA !== 'clustered' && DATA !== 'uniform') throw new Error(`--data must be clustered or uniform, got ${DATA}`);
const QUERIES = quick ? 20 : 100;
const ROUNDS = quick ? 200 : 2_000;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gauss = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
const unit = (v: number[]) => {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};
const uniform = () => unit(Array.from({ length: DIM }, gauss));
const CENTRES = Array.from({ length: 1_000 }, uniform);
// Spread around a centre: the noise is about as long as the centre vector itself.
const point = () => {
  if (DATA === 'uniform') return uniform();
  const c = CENTRES[Math.floor(Math.random() * CENTRES.length)]!;
  return unit(c.map((x) => x + gauss() / Math.sqrt(DIM)));
};

async function vectors(): Promise<void> {
  const database = await createDatabase({ pgliteExtensions: { vector } });
  const engine = new PgVectorEngine(database.db);
  await engine.createCollection('bench', { dimension: DIM, distanceMetric: 'cosine' });
  const t0 = performance.now();
  for (let i = 0; i < N; i += 500) {
    await engine.addVectors('bench', Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ id: String(i + k), vector: point() })));
    if ((i + 500) % 10_000 === 0) console.error(`  ... ${i + 500} added, ${((i + 500) / ((performance.now() - t0) / 1000)).toFixed(0)}/s`);
  }
  const addSeconds = (performance.now() - t0) / 1000;
  const hnsw: number[] = [];
  const hnswEf: number[] = [];
  const exact: number[] = [];
  let hits = 0;
  let hitsEf = 0;
  for (let q = 0; q < QUERIES; q++) {
    const v = point();
    let s = performance.now();
    const truth = (await engine.searchVectors('bench', { vector: v, limit: 10, exact: true })) as VectorRecord[];
    exact.push(performance.now() - s);
    s = performance.now();
    const approx = (await engine.searchVectors('bench', { vector: v, limit: 10 })) as VectorRecord[];
    hnsw.push(performance.now() - s);
    s = performance.now();
    const wider = (await engine.searchVectors('bench', { vector: v, limit: 10, efSearch: EF })) as VectorRecord[];
    hnswEf.push(performance.now() - s);
    const want = new Set(truth.map((r) => r.id));
    hits += approx.filter((r) => want.has(r.id)).length;
    hitsEf += wider.filter((r) => want.has(r.id)).length;
  }
  console.log(`vectors: ${N} x ${DIM}, ${DATA} data (cosine, PGlite + pgvector, HNSW m=16 ef_construction=64), ${QUERIES} queries`);
  console.log(`  add_vectors            ${(N / addSeconds).toFixed(0)} vectors/s (${addSeconds.toFixed(0)} s)`);
  console.log(`  search p50 brute force ${p50(exact).toFixed(2)} ms`);
  console.log(`  search p50 HNSW ef=40  ${p50(hnsw).toFixed(2)} ms   ${(p50(exact) / p50(hnsw)).toFixed(1)}x faster   recall@10 ${(hits / (QUERIES * 10)).toFixed(3)}`);
  console.log(`  search p50 HNSW ef=${EF} ${p50(hnswEf).toFixed(2)} ms   ${(p50(exact) / p50(hnswEf)).toFixed(1)}x faster   recall@10 ${(hitsEf / (QUERIES * 10)).toFixed(3)}`);
  await database.close();
}

async function queue(): Promise<void> {
  const url = process.env.HYPHA_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
  const prefix = `hypha-bench-q:${randomUUID()}:`;
  const q = await RedisQueueBackend.connect({ url, keyPrefix: prefix });
  const raw = createClient({ url });
  const rawBlocking = raw.duplicate();
  await Promise.all([raw.connect(), rawBlocking.connect()]);
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let s = performance.now();
    await raw.lPush(`${prefix}raw`, '{"n":1}');
    await rawBlocking.brPop(`${prefix}raw`, 1);
    floor.push(performance.now() - s);
    s = performance.now();
    await q.push('ws:q:bench', '{"n":1}');
    await q.pop('ws:q:bench', 1);
    ours.push(performance.now() - s);
  }
  console.log(`queue: push→pop, ${ROUNDS} rounds`);
  console.log(`  raw LPUSH+BRPOP p50 ${(p50(floor) * 1000).toFixed(0)} µs   ours (backend) ${(p50(ours) * 1000).toFixed(0)} µs   ratio ${(p50(ours) / p50(floor)).toFixed(2)}`);
  await q.close();
  await raw.close();
  await rawBlocking.close();
}

if (!args.includes('--skip-queue')) await queue();
await vectors();
