/**
 * Vector search and queue figures, each next to its floor from the same run:
 * - HNSW search p50 vs an exact (brute-force) scan of the same table, with recall@10 of HNSW;
 * - add_vectors throughput (engine level, batches of 500);
 * - queue push→pop latency (RedisQueueBackend) vs raw Redis LPUSH + BRPOP.
 * Usage: node --conditions=@hypha/source --import tsx src/standalone/vectors-queue.ts [--quick] [--n N] [--dim D]
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { vector } from '@electric-sql/pglite-pgvector';
import { createDatabase } from '@hypha/db';
import { RedisQueueBackend } from '@hypha/queue';
import { PgVectorEngine } from '@hypha/vectors';
import type { VectorRecord } from '@hypha/vectors';
import { sql } from 'kysely';
import { createClient } from 'redis';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = opt('--n', quick ? 2_000 : 100_000);
const DIM = opt('--dim', quick ? 64 : 384);
const QUERIES = quick ? 20 : 100;
const ROUNDS = quick ? 200 : 2_000;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rand = () => Array.from({ length: DIM }, () => Math.random() * 2 - 1);

async function vectors(): Promise<void> {
  const database = await createDatabase({ pgliteExtensions: { vector } });
  const engine = new PgVectorEngine(database.db);
  await engine.createCollection('bench', { dimension: DIM, distanceMetric: 'cosine' });
  const t0 = performance.now();
  for (let i = 0; i < N; i += 500) {
    await engine.addVectors('bench', Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ id: String(i + k), vector: rand() })));
  }
  const addSeconds = (performance.now() - t0) / 1000;
  const table = PgVectorEngine.tableName('bench');
  const hnsw: number[] = [];
  const exact: number[] = [];
  let hits = 0;
  for (let q = 0; q < QUERIES; q++) {
    const v = rand();
    let s = performance.now();
    const approx = (await engine.searchVectors('bench', { vector: v, limit: 10 })) as VectorRecord[];
    hnsw.push(performance.now() - s);
    s = performance.now();
    const lit = `[${v.join(',')}]`;
    // The same ordering without the index: an exact scan.
    const truth = await database.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_indexscan = off`.execute(trx);
      return sql<{ id: string }>`SELECT id FROM ${sql.table(table)} ORDER BY vector <=> ${lit}::vector LIMIT 10`.execute(trx);
    });
    exact.push(performance.now() - s);
    const want = new Set(truth.rows.map((r) => r.id));
    hits += approx.filter((r) => want.has(r.id)).length;
  }
  console.log(`vectors: ${N} x ${DIM} (cosine, PGlite + pgvector)`);
  console.log(`  add_vectors        ${(N / addSeconds).toFixed(0)} vectors/s`);
  console.log(`  search p50 HNSW    ${p50(hnsw).toFixed(2)} ms   brute force ${p50(exact).toFixed(2)} ms   ratio ${(p50(exact) / p50(hnsw)).toFixed(1)}x`);
  console.log(`  recall@10          ${(hits / (QUERIES * 10)).toFixed(3)}`);
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

await queue();
await vectors();
