import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw } from './helpers/artifact-clients.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// Vector collections through the npm hypha-rpc client, on embedded defaults (PGlite + pgvector),
// with the reference's keyword names and result shapes.

const POSTGRES_URI = 'postgresql://postgres@127.0.0.1:5432/test';
const DIM = 8;
// Distinct directions: no two items share a vector.
const vec = (i: number): number[] => Array.from({ length: DIM }, (_, k) => Math.round(Math.sin((i + 1) * (k + 1)) * 8) / 8);

describe('vector collections on embedded defaults', () => {
  let t: TestServer;
  let dataDir: string;
  const clients = new ArtifactClients(() => t.url);
  let am: Record<string, any>;
  let other: Record<string, any>;
  let id: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hypha-vec-'));
    t = await startTestServer({ dataDir });
    await t.server.artifacts!.ready;
    ({ am } = await clients.connect(mintToken(t.authConfig, userWith(`vera-${randomBytes(3).toString('hex')}`, {}))));
    ({ am: other } = await clients.connect(mintToken(t.authConfig, userWith(`otto-${randomBytes(3).toString('hex')}`, {}))));
    const created = await am.create(
      kw({ type: 'vector-collection', alias: 'papers', manifest: { name: 'Papers' }, config: { dimension: DIM, distance_metric: 'COSINE', embedding_model: 'hashing' } }),
    );
    id = created.id;
    expect(created.config).toMatchObject({ dimension: DIM, distance_metric: 'cosine' });
    const items = Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, vector: vec(i), manifest: { year: 1990 + i, tag: i % 3 === 0 ? 'ml' : 'bio', title: `Paper ${i}` } }));
    expect(await am.add_vectors(kw({ artifact_id: id, vectors: items }))).toHaveLength(30);
  }, 240_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('searches by vector: the item itself first with _score 1, manifest fields flattened', async () => {
    const found = await am.search_vectors(kw({ artifact_id: id, query: { vector: vec(4) }, limit: 3 }));
    expect(found).toHaveLength(3);
    expect(found[0]).toMatchObject({ id: 'p4', year: 1994, tag: 'bio', title: 'Paper 4' });
    expect(found[0]._score).toBeCloseTo(1, 5);
    expect((await am.read(kw({ artifact_id: id }))).config.vector_count).toBe(30);
  });

  it('narrows with filters and paginates with a total', async () => {
    const page = await am.search_vectors(
      kw({ artifact_id: id, query: { vector: vec(0) }, filters: { year: [2000, 2010], tag: { $in: ['ml'] } }, limit: 2, pagination: true }),
    );
    expect(page.total).toBe(3);
    expect(page.items).toHaveLength(2);
    for (const r of page.items) expect(r.tag).toBe('ml');
    expect(await am.search_vectors(kw({ artifact_id: id, filters: { year: [-2, -1] }, query: { vector: vec(1) } }))).toEqual([]);
    const listed = await am.list_vectors(kw({ artifact_id: id, limit: 5, order_by: '-year', return_fields: ['year'] }));
    expect(listed.map((r: { year: number }) => r.year)).toEqual([2019, 2018, 2017, 2016, 2015]);
  });

  it('embeds text vectors and text queries with the collection model', async () => {
    await am.add_vectors(kw({ artifact_id: id, vectors: [
      { id: 'txt1', vector: 'graph neural networks for molecules', manifest: { kind: 'text' } },
      { id: 'txt2', vector: 'medieval poetry in old french', manifest: { kind: 'text' } },
    ] }));
    const hit = await am.search_vectors(kw({ artifact_id: id, query: { vector: 'neural networks on molecule graphs' }, filters: { kind: 'text' }, limit: 1 }));
    expect(hit[0].id).toBe('txt1');
  });

  it('gets, lists and removes vectors', async () => {
    expect(await am.get_vector(kw({ artifact_id: id, id: 'p7' }))).toMatchObject({ id: 'p7', year: 1997, vector: vec(7) });
    await am.remove_vectors(kw({ artifact_id: id, ids: ['p7'] }));
    await expect(am.get_vector(kw({ artifact_id: id, id: 'p7' }))).rejects.toThrow('Vector p7 not found');
    const all = await am.list_vectors(kw({ artifact_id: id, limit: 100, pagination: true }));
    expect(all.total).toBe(31);
  });

  it('refuses bad input with errors that name the problem', async () => {
    await expect(am.add_vectors(kw({ artifact_id: id, vectors: [{ id: 'x', vector: [1, 2] }] }))).rejects.toThrow("Vector x has dimension 2, but the collection's dimension is 8");
    await expect(am.add_vectors(kw({ artifact_id: id, vectors: [{ id: 'x', vector: [1, 2, 3, 4, 5, 6, 7, 'z'] }] }))).rejects.toThrow('element 7 is "z"');
    await expect(am.search_vectors(kw({ artifact_id: id, filters: { year: { $between: 1 } } }))).rejects.toThrow("Unknown filter operator '$between'");
    await expect(am.add_vectors(kw({ artifact_id: id, vectors: [{ vector: vec(1) }] }))).rejects.toThrow("Each vector must have an 'id' field");
    const plain = await am.create(kw({ alias: 'plain', manifest: { name: 'x' } }));
    await expect(am.search_vectors(kw({ artifact_id: plain.id }))).rejects.toThrow('Artifact must be a vector collection');
  });

  it('keeps a private collection from other users', async () => {
    await expect(other.search_vectors(kw({ artifact_id: id, query: { vector: vec(1) } }))).rejects.toThrow(/PermissionError|permission/);
    await expect(other.add_vectors(kw({ artifact_id: id, vectors: [{ id: 'z', vector: vec(1) }] }))).rejects.toThrow(/PermissionError|permission/);
    await expect(other.remove_vectors(kw({ artifact_id: id, ids: ['p1'] }))).rejects.toThrow(/PermissionError|permission/);
  });

  it('takes typed arrays (numpy arrays of a Python client arrive the same way) as vectors and query vectors', async () => {
    await am.add_vectors(kw({ artifact_id: id, vectors: [{ id: 'f32', vector: new Float32Array(vec(7)), manifest: { kind: 'typed' } }] }));
    const hit = await am.search_vectors(kw({ artifact_id: id, query: { vector: new Float64Array(vec(7)) }, filters: { kind: 'typed' }, limit: 1 }));
    expect(hit).toMatchObject([{ id: 'f32', kind: 'typed' }]);
    expect(hit[0]._score).toBeCloseTo(1, 5);
    await am.remove_vectors(kw({ artifact_id: id, ids: ['f32'] }));
  });

  it('drops the collection with the artifact', async () => {
    const c = await am.create(kw({ type: 'vector-collection', alias: 'tmp-vec', manifest: { name: 'tmp', vector_config: { dimension: 4, distance_metric: 'l2' } } }));
    expect(c.config).toMatchObject({ dimension: 4, distance_metric: 'l2' });
    expect(c.manifest.vector_config).toBeUndefined();
    const { manager } = t.server.artifacts!;
    const engine = await manager.vectors.engine();
    const row = (await manager.access.find((await manager.access.ready()).db, { workspace: c.workspace, alias: 'tmp-vec' }))!;
    expect(await engine.collectionSpec(row.id)).toEqual({ dimension: 4, distanceMetric: 'l2' });
    await am.delete(kw({ artifact_id: c.id }));
    expect(await engine.collectionSpec(row.id)).toBeNull();
  });
});

describe('vector collections on PostgreSQL without the vector extension', () => {
  let t: TestServer;
  let dataDir: string;
  const schema = `hypha_vec_${randomBytes(4).toString('hex')}`;
  const clients = new ArtifactClients(() => t.url);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hypha-vec-pg-'));
    t = await startTestServer({ dataDir, databaseUri: POSTGRES_URI, artifacts: { databaseSchema: schema } });
    await t.server.artifacts!.ready;
  });
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    const client = new pg.Client({ connectionString: POSTGRES_URI });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to create a vector collection, naming the extension, and leaves no artifact behind', async () => {
    const { am } = await clients.connect(mintToken(t.authConfig, userWith(`pat-${randomBytes(3).toString('hex')}`, {})));
    await expect(am.create(kw({ type: 'vector-collection', alias: 'vecs', manifest: { name: 'v' }, config: { dimension: 8 } }))).rejects.toThrow(
      'Vector collections need the PostgreSQL extension "vector" (pgvector)',
    );
    await expect(am.read(kw({ artifact_id: 'vecs' }))).rejects.toThrow('does not exist');
  });
});
