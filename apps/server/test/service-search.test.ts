import './setup-websocket.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { writeTinyModel } from '../../../packages/vectors/test/tiny-onnx-model.js';

const kw = (o: Record<string, unknown>) => ({ ...o, _rkwargs: true });

const SERVICES = [
  { id: 'service-1', type: 'my-type', docs: 'This service handles data analysis workflows for genomics.' },
  { id: 'service-2', type: 'another-type', docs: 'This service focuses on image processing for medical imaging.' },
  { id: 'service-3', type: 'my-type', docs: 'This service specializes in natural language processing and AI chatbots.' },
];

async function registerSamples(api: any, visibility = 'public') {
  for (const s of SERVICES) {
    await api.registerService({ ...s, name: `example ${s.id}`, description: `The ${s.id} test service.`, config: { visibility }, ping: () => 'pong' });
  }
}

describe('search_services without --enable-service-search', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, quiet: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers the reference's error", async () => {
    const api = await connectSilently({ server_url: server.url });
    await expect(api.searchServices(kw({ query: 'anything' }))).rejects.toThrow('Service search is not enabled.');
    await api.disconnect();
  });
});

describe('search_services with --enable-service-search (built-in hashing embedder, in-memory PGlite)', () => {
  let server: RunningServer;
  let provider: any;
  let ws: string;
  beforeAll(async () => {
    server = await startServer({ port: 0, quiet: true, enableServiceSearch: true });
    provider = await connectSilently({ server_url: server.url, client_id: 'my-app-99' });
    ws = provider.config.workspace;
    await registerSamples(provider);
  });
  afterAll(async () => {
    await provider?.disconnect();
    await server.close();
  });

  it('finds the service whose docs match a text query first, shaped as the reference (id ws/client:svc, score a distance)', async () => {
    const found = await provider.searchServices(kw({ query: 'natural language processing chatbots', limit: 3 }));
    expect(found).toHaveLength(3);
    expect(found[0].id).toBe(`${ws}/my-app-99:service-3`);
    expect(found[0].docs).toContain('natural language processing');
    expect(Object.keys(found[0]).sort()).toEqual(['app_id', 'config', 'description', 'docs', 'id', 'name', 'score', 'service_schema', 'type']);
    expect(found[0].config.visibility).toBe('public');
    expect(found[0].score).toBeLessThan(found[1].score);
    expect(found[1].score).toBeLessThanOrEqual(found[2].score);
    const genomics = await provider.searchServices(kw({ query: 'genomics workflows', filters: { type: 'my-type' }, limit: 3 }));
    expect(genomics.map((s: any) => s.id)).toEqual([`${ws}/my-app-99:service-1`, `${ws}/my-app-99:service-3`]);
  });

  it('pages with a total, offset and limit; filter-only searches list services without docs too', async () => {
    const page = await provider.searchServices(kw({ query: 'image processing', limit: 2, offset: 1, pagination: true }));
    expect(page.total).toBe(3);
    expect(page.offset).toBe(1);
    expect(page.limit).toBe(2);
    expect(page.items).toHaveLength(2);
    expect(page.items.map((s: any) => s.id)).not.toContain(`${ws}/my-app-99:service-2`);
    const listed = await provider.searchServices(kw({ filters: { type: 'my-type' }, limit: 10 }));
    expect(listed.map((s: any) => s.id).sort()).toEqual([`${ws}/my-app-99:service-1`, `${ws}/my-app-99:service-3`]);
    expect(listed[0].score).toBeUndefined();
    const all = await provider.searchServices(kw({ limit: 50, pagination: true }));
    expect(all.items.map((s: any) => s.id)).toContain(`${ws}/my-app-99:built-in`);
    expect(all.items.map((s: any) => s.id)).toContain(`${ws}/my-app-99:service-2`);
    // the three samples and the client's built-in service
    const mine = await provider.searchServices(kw({ filters: { workspace: ws }, limit: 50, pagination: true }));
    expect(mine.total).toBe(4);
    expect(mine.items.map((s: any) => s.id).sort()).toEqual([1, 2, 3].map((i) => `${ws}/my-app-99:service-${i}`).concat(`${ws}/my-app-99:built-in`).sort());
    const wildcard = await provider.searchServices(kw({ filters: { docs: 'chatbot*' } }));
    expect(wildcard.map((s: any) => s.id)).toEqual([`${ws}/my-app-99:service-3`]);
    const fields = await provider.searchServices(kw({ query: 'genomics', limit: 1, return_fields: ['name'] }));
    expect(fields).toEqual([{ id: `${ws}/my-app-99:service-1`, name: 'example service-1', score: expect.any(Number) }]);
  });

  it('searches by a given vector: config.service_embedding as a list or a typed array', async () => {
    const ones = new Array(384).fill(1);
    await provider.registerService({ id: 'service-88', type: 'another-type', docs: 'alphafold calculations', config: { visibility: 'public', service_embedding: ones }, ping: () => 1 });
    const spiky = new Float32Array(384);
    spiky[7] = 1;
    await provider.registerService({ id: 'service-89', config: { service_embedding: spiky }, ping: () => 1 });
    const byOnes = await provider.searchServices(kw({ query: ones, limit: 3 }));
    expect(byOnes[0].id).toBe(`${ws}/my-app-99:service-88`);
    expect(byOnes[0].score).toBeCloseTo(0, 5);
    expect(byOnes[0].config.service_embedding).toBeUndefined();
    const bySpike = await provider.searchServices(kw({ query: Array.from(spiky), limit: 1 }));
    expect(bySpike[0].id).toBe(`${ws}/my-app-99:service-89`);
    const calc = await provider.searchServices(kw({ filters: { docs: 'calculations*' }, limit: 3 }));
    expect(calc.map((s: any) => s.id)).toEqual([`${ws}/my-app-99:service-88`]);
  });

  it('refuses a service_embedding of the wrong size (registering nothing), a wrong query vector and an unknown operator', async () => {
    await expect(provider.registerService({ id: 'bad-embedding', config: { service_embedding: [1, 2, 3] }, ping: () => 1 })).rejects.toThrow(
      "config.service_embedding has dimension 3, but the collection's dimension is 384",
    );
    expect((await provider.listServices()).map((s: any) => s.id)).not.toContain(`${ws}/my-app-99:bad-embedding`);
    await expect(provider.searchServices(kw({ query: [1, 'x'] }))).rejects.toThrow("The query vector has dimension 2, but the collection's dimension is 384");
    await expect(provider.searchServices(kw({ filters: { type: { $near: 1 } } }))).rejects.toThrow("Unknown filter operator '$near' on field 'type'");
    await expect(provider.searchServices(kw({ filters: { _audience: '*' } }))).rejects.toThrow("Unknown filter field '_audience'");
  });

  it("shows another workspace only public services; unlisted ones only to their own workspace with include_unlisted", async () => {
    await provider.registerService({ id: 'hidden', docs: 'secret protected genomics', config: { visibility: 'protected' }, ping: () => 1 });
    await provider.registerService({ id: 'quiet', docs: 'unlisted genomics helper', config: { visibility: 'unlisted' }, ping: () => 1 });
    const other = await connectSilently({ server_url: server.url });
    try {
      const seen = (await other.searchServices(kw({ query: 'genomics', limit: 50, include_unlisted: true }))).map((s: any) => s.id);
      expect(seen).toContain(`${ws}/my-app-99:service-1`);
      expect(seen).not.toContain(`${ws}/my-app-99:hidden`);
      expect(seen).not.toContain(`${ws}/my-app-99:quiet`);
      const mine = (await provider.searchServices(kw({ query: 'genomics', limit: 50 }))).map((s: any) => s.id);
      expect(mine).toContain(`${ws}/my-app-99:hidden`);
      expect(mine).not.toContain(`${ws}/my-app-99:quiet`);
      const withUnlisted = (await provider.searchServices(kw({ query: 'genomics', limit: 50, include_unlisted: true }))).map((s: any) => s.id);
      expect(withUnlisted).toContain(`${ws}/my-app-99:quiet`);
    } finally {
      await other.disconnect();
    }
  });

  it('drops a service from the index when it is unregistered and when its client leaves', async () => {
    const leaving = await connectSilently({ server_url: server.url, workspace: ws, token: await provider.generateToken() });
    const lws = leaving.config.workspace;
    const lid = leaving.config.client_id;
    await leaving.registerService({ id: 'temp', docs: 'a temporary quantum service', config: { visibility: 'public' }, ping: () => 1 });
    await leaving.registerService({ id: 'gone', docs: 'an unregistered quantum service', config: { visibility: 'public' }, ping: () => 1 });
    const ids = async () => (await provider.searchServices(kw({ query: 'quantum', limit: 50 }))).map((s: any) => s.id);
    expect(await ids()).toEqual(expect.arrayContaining([`${lws}/${lid}:temp`, `${lws}/${lid}:gone`]));
    await leaving.unregisterService('gone');
    expect(await ids()).not.toContain(`${lws}/${lid}:gone`);
    expect(await ids()).toContain(`${lws}/${lid}:temp`);
    await leaving.disconnect();
    const deadline = Date.now() + 10_000;
    while ((await ids()).includes(`${lws}/${lid}:temp`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ids()).not.toContain(`${lws}/${lid}:temp`);
  });
});

describe('search_services with a local ONNX model (--embedding-model-dir, --service-embedding-model) and the data-dir database', () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hypha-svc-search-'));
    // A 4-dimensional model: language words point one way, imaging words another.
    const vocab = ['language', 'nlp', 'chatbots', 'image', 'imaging', 'medical', 'genomics'];
    const table = [[0, 0, 0, 1], [1, 0, 0, 0], [1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0.9, 0.1, 0], [0, 0, 1, 0]];
    await writeTinyModel(join(dir, 'models'), 'test-org/tiny', vocab, table);
    server = await startServer({
      port: 0,
      quiet: true,
      dataDir: join(dir, 'data'),
      enableServiceSearch: true,
      embeddingModelDir: join(dir, 'models'),
      serviceEmbeddingModel: 'test-org/tiny',
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds docs and queries with the model: "NLP" finds the language service', async () => {
    const api = await connectSilently({ server_url: server.url });
    try {
      await registerSamples(api, 'protected');
      const found = await api.searchServices(kw({ query: 'NLP', limit: 3 }));
      expect(found[0].id).toBe(`${api.config.workspace}/${api.config.client_id}:service-3`);
      expect(found[0].score).toBeLessThan(found[1].score);
      const imaging = await api.searchServices(kw({ query: 'medical', limit: 1 }));
      expect(imaging[0].id).toBe(`${api.config.workspace}/${api.config.client_id}:service-2`);
    } finally {
      await api.disconnect();
    }
  });

  it('refuses a cluster (--redis-uri) without a shared database (--database-uri)', async () => {
    await expect(startServer({ port: 0, quiet: true, enableServiceSearch: true, redisUri: 'redis://127.0.0.1:6379' })).rejects.toThrow(
      '--enable-service-search in a cluster (--redis-uri) needs --database-uri',
    );
  });

  it('refuses to start with a model that is not in the directory, naming the path', async () => {
    await expect(
      startServer({ port: 0, quiet: true, enableServiceSearch: true, embeddingModelDir: join(dir, 'models'), serviceEmbeddingModel: 'test-org/absent' }),
    ).rejects.toThrow(`no model at ${join(dir, 'models', 'test-org/absent')}`);
  });
});

describe('search_services on the PostgreSQL of --database-uri', () => {
  const URI = 'postgresql://postgres@127.0.0.1:5432/test';
  const schema = `hypha_svc_search_${Date.now().toString(36)}`;
  let available = false;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hypha-svc-pg-'));
    const probe = new pg.Client({ connectionString: URI });
    await probe.connect();
    available = (await probe.query("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'")).rows[0].n > 0;
    await probe.end();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: URI });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('indexes services there when it has pgvector, and otherwise refuses to start naming the missing extension', async () => {
    const start = () =>
      startServer({ port: 0, quiet: true, dataDir, databaseUri: URI, artifacts: { databaseSchema: schema }, enableServiceSearch: true });
    if (!available) {
      await expect(start()).rejects.toThrow('need the PostgreSQL extension "vector" (pgvector)');
      return;
    }
    const server = await start();
    try {
      const api = await connectSilently({ server_url: server.url });
      await registerSamples(api);
      const found = await api.searchServices(kw({ query: 'genomics workflows', limit: 1 }));
      expect(found[0].id).toBe(`${api.config.workspace}/${api.config.client_id}:service-1`);
      await api.disconnect();
    } finally {
      await server.close();
    }
  });
});
