import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { closeCluster, startTestServer, strongRootToken, type TestServer } from './helpers/test-server.js';

// Two server instances on one Redis, one PostgreSQL schema and one S3: a multipart upload started
// through instance A is completed through instance B (the upload state lives on the shared bus).

const MiB = 1024 * 1024;
const prefix = `hypha-e2e-art-cluster-${randomUUID()}:`;

describe('artifact uploads across server instances', () => {
  let backend: ArtifactBackend;
  let a: TestServer;
  let b: TestServer;
  let bDataDir: string | undefined;
  const clients = new ArtifactClients(() => a.url);
  let am: Proxy;
  let ws: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    backend = await artifactBackend('postgres+s3');
    const shared = {
      ...backend.options,
      redisUri: 'redis://127.0.0.1:6379',
      redisKeyPrefix: prefix,
      jwtSecret: randomBytes(24).toString('base64url'),
      rootToken: strongRootToken(),
    };
    a = await startTestServer({ ...shared, serverId: `art-a-${randomUUID().slice(0, 8)}` });
    // One data dir per instance (a server locks its own); the artifacts live in PostgreSQL + S3.
    bDataDir = await mkdtemp(join(tmpdir(), 'hypha-artifacts-e2e-b-'));
    b = await startTestServer({ ...shared, dataDir: bDataDir, serverId: `art-b-${randomUUID().slice(0, 8)}` });
    await Promise.all([a.server.artifacts!.ready, b.server.artifacts!.ready]);
    // `public/artifact-manager` is served by both instances; either copy may be picked (the HTTP
    // routes below pick the instance explicitly).
    const root = await clients.connect(a.rootToken);
    am = root.am;
    ws = root.server.config.workspace;
    auth = { Authorization: `Bearer ${a.rootToken}` };
  }, 60_000);

  afterAll(async () => {
    await clients.closeAll();
    await closeCluster(a, b);
    await backend?.cleanup();
    if (bDataDir) await rm(bDataDir, { recursive: true, force: true });
  });

  async function uploadParts(parts: Array<{ part_number: number; url: string }>, body: (n: number) => Buffer) {
    const etags: Array<{ part_number: number; etag: string }> = [];
    for (const p of parts) {
      const res = await fetch(p.url, { method: 'PUT', body: body(p.part_number) });
      expect(res.status).toBe(200);
      etags.push({ part_number: p.part_number, etag: res.headers.get('etag')! });
    }
    return etags;
  }

  it('completes through B a multipart upload started through A, and the file downloads intact', async () => {
    await am.create(kw({ alias: 'mp-http', manifest: { name: 'Multipart' }, stage: true }));
    const partBytes = (n: number) => (n === 1 ? Buffer.alloc(5 * MiB, 7) : randomBytes(1234));
    const second = partBytes(2);
    const body = (n: number) => (n === 1 ? partBytes(1) : second);

    const started = await fetch(`${a.url}/${ws}/artifacts/mp-http/create-multipart-upload?path=data/big.bin&part_count=2`, { method: 'POST', headers: auth });
    expect({ status: started.status, body: started.status === 200 ? null : await started.text() }).toEqual({ status: 200, body: null });
    const { upload_id, parts } = (await started.json()) as { upload_id: string; parts: Array<{ part_number: number; url: string }> };
    const etags = await uploadParts(parts, body);

    const done = await fetch(`${b.url}/${ws}/artifacts/mp-http/complete-multipart-upload`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ upload_id, parts: etags }),
    });
    expect({ status: done.status, body: done.status === 200 ? null : await done.text() }).toEqual({ status: 200, body: null });
    expect(await done.json()).toMatchObject({ success: true });

    // The upload is finished: completing it again (on either instance) is refused.
    const again = await fetch(`${a.url}/${ws}/artifacts/mp-http/complete-multipart-upload`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ upload_id, parts: etags }),
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain(`Upload session expired or not found (upload_id '${upload_id}')`);

    expect((await am.commit('mp-http')).file_count).toBe(1);
    const res = await fetch(`${b.url}/${ws}/artifacts/mp-http/files/data/big.bin`, { headers: auth });
    expect(res.status).toBe(200);
    const got = Buffer.from(await res.arrayBuffer());
    const expected = Buffer.concat([partBytes(1), second]);
    expect(got.length).toBe(expected.length);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(expected).digest('hex'));
  }, 60_000);

  it('refuses to complete an upload through another artifact, on the other instance', async () => {
    await am.create(kw({ alias: 'mp-one', manifest: { name: 'One' }, stage: true }));
    await am.create(kw({ alias: 'mp-two', manifest: { name: 'Two' }, stage: true }));
    const { upload_id, parts } = await am.put_file_start_multipart(kw({ artifact_id: 'mp-one', file_path: 'x.bin', part_count: 1 }));
    const etags = await uploadParts(parts, () => Buffer.from('only part'));
    const wrong = await fetch(`${b.url}/${ws}/artifacts/mp-two/complete-multipart-upload`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ upload_id, parts: etags }),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/belongs to another artifact/);
    const right = await fetch(`${b.url}/${ws}/artifacts/mp-one/complete-multipart-upload`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ upload_id, parts: etags }),
    });
    expect(right.status).toBe(200);
    await am.commit('mp-one');
    const file = await fetch(`${b.url}/${ws}/artifacts/mp-one/files/x.bin`, { headers: auth });
    expect(await file.text()).toBe('only part');
  }, 60_000);
});
