import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, BACKENDS, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// publish(to="zenodo" | "sandbox_zenodo") against a Zenodo-like deposition API served by this
// test (nothing leaves 127.0.0.1): the server is pointed at it with --sandbox-zenodo-url.

const TOKEN = 'zenodo-secret-token-0123456789abcdef';

interface Deposition {
  id: number;
  conceptrecid: number;
  state: 'unsubmitted' | 'done';
  metadata: Record<string, unknown> | null;
  files: Map<string, Buffer>;
  doi?: string;
  record_id?: number;
}

/** A small stand-in for Zenodo's deposition API (the calls publish makes), keeping what it was sent. */
class FakeZenodo {
  server!: Server;
  base = '';
  next = 1000;
  depositions = new Map<number, Deposition>();
  calls: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err: Error) => {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ message: err.message }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private view(d: Deposition) {
    return {
      id: d.id, conceptrecid: d.conceptrecid, state: d.state, metadata: d.metadata, submitted: d.state === 'done',
      ...(d.doi ? { doi: d.doi, record_id: d.record_id } : {}),
      links: { bucket: `${this.base}/api/files/bucket-${d.id}`, self: `${this.base}/api/deposit/depositions/${d.id}` },
    };
  }

  private create(conceptrecid?: number, files?: Map<string, Buffer>): Deposition {
    const id = this.next++;
    const d: Deposition = { id, conceptrecid: conceptrecid ?? this.next++, state: 'unsubmitted', metadata: null, files: new Map(files ?? []) };
    this.depositions.set(id, d);
    return d;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', this.base);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.calls.push(`${req.method} ${url.pathname}`);
    if (req.headers.authorization !== `Bearer ${TOKEN}` || url.search.includes('access_token')) {
      return { status: 403, body: { status: 403, message: 'Permission denied.' } };
    }
    const m = /^\/api\/deposit\/depositions(?:\/(\d+))?(\/files|\/actions\/publish|\/actions\/newversion)?$/.exec(url.pathname);
    const bucket = /^\/api\/files\/bucket-(\d+)\/(.+)$/.exec(url.pathname);
    if (bucket && req.method === 'PUT') {
      const d = this.depositions.get(Number(bucket[1]));
      if (!d || d.state === 'done') return { status: 404, body: { message: 'bucket not found' } };
      d.files.set(decodeURIComponent(bucket[2]!), body);
      return { status: 201, body: { key: bucket[2], size: body.length } };
    }
    if (!m) return { status: 404, body: { message: `no route ${req.method} ${url.pathname}` } };
    if (!m[1] && req.method === 'POST') return { status: 201, body: this.view(this.create()) };
    const d = this.depositions.get(Number(m[1]));
    if (!d) return { status: 404, body: { message: 'PID does not exist.' } };
    if (!m[2] && req.method === 'GET') return { status: 200, body: this.view(d) };
    if (!m[2] && req.method === 'PUT') {
      d.metadata = (JSON.parse(body.toString('utf8')) as { metadata: Record<string, unknown> }).metadata;
      return { status: 200, body: this.view(d) };
    }
    if (m[2] === '/files') return { status: 200, body: [...d.files.keys()].map((filename) => ({ filename })) };
    if (m[2] === '/actions/publish') {
      if (!d.metadata?.title || d.files.size === 0) return { status: 400, body: { status: 400, message: 'Validation error.', errors: [{ field: 'metadata.title' }] } };
      d.state = 'done';
      d.record_id = d.id;
      d.doi = `10.5072/zenodo.${d.id}`;
      return { status: 202, body: this.view(d) };
    }
    if (m[2] === '/actions/newversion') {
      const draft = this.create(d.conceptrecid, d.files);
      return { status: 201, body: { ...this.view(d), links: { latest_draft: `${this.base}/api/deposit/depositions/${draft.id}` } } };
    }
    return { status: 405, body: { message: 'method not allowed' } };
  }
}

describe.each(BACKENDS)('publish to Zenodo on %s', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const zenodo = new FakeZenodo();
  const clients = new ArtifactClients(() => t.url);
  let am: Proxy;
  let reader: Proxy;
  let collection: { id: string };

  beforeAll(async () => {
    await zenodo.start();
    backend = await artifactBackend(backendName);
    // `zenodo` points at a closed port: "unreachable" without leaving the machine.
    t = await startTestServer({ ...backend.options, sandboxZenodoUrl: zenodo.base, zenodoUrl: 'http://127.0.0.1:1' });
    await t.server.artifacts?.ready;
    am = (await clients.connect(mintToken(t.authConfig, userWith('publisher', { 'ws-user-publisher': 'a' })))).am;
    collection = await am.create(kw({
      type: 'collection', alias: 'to-publish', manifest: { name: 'Publish Test Collection', description: 'c' },
      secrets: { SANDBOX_ZENODO_ACCESS_TOKEN: TOKEN, ZENODO_ACCESS_TOKEN: TOKEN }, config: { permissions: { '@': 'r' } },
    }));
    reader = (await clients.connect(mintToken(t.authConfig, userWith('reader', { 'ws-user-reader': 'a' })))).am;
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
    await zenodo.close();
  });

  it('reserves a deposition for a {zenodo_conceptrecid} alias, then publishes files and metadata to it', async () => {
    const dataset = await am.create(kw({
      type: 'dataset', alias: '{zenodo_conceptrecid}', parent_id: collection.id, version: 'stage',
      manifest: { name: 'Test Dataset', description: 'A test dataset to publish', authors: [{ name: 'Doe, Jane' }], tags: ['x'] },
      config: { publish_to: 'sandbox_zenodo' },
    }));
    expect(dataset.alias).toMatch(/^\d+$/);
    const reserved = [...zenodo.depositions.values()].find((d) => String(d.conceptrecid) === dataset.alias)!;
    expect(reserved).toBeDefined();
    expect(dataset.config.zenodo.id).toBe(reserved.id);
    await am.write_file(kw({ artifact_id: dataset.id, file_path: 'example.txt', content: 'file contents of example.txt' }));
    await am.write_file(kw({ artifact_id: dataset.id, file_path: 'data/table.csv', content: 'a,b\n1,2\n' }));
    await am.commit(kw({ artifact_id: dataset.id }));

    const record = await am.publish(kw({ artifact_id: dataset.id, to: 'sandbox_zenodo', metadata: { license: 'cc0' } }));
    expect(record).toMatchObject({ id: reserved.id, state: 'done', doi: `10.5072/zenodo.${reserved.id}` });
    expect(reserved.metadata).toMatchObject({
      title: 'Test Dataset', upload_type: 'dataset', description: 'A test dataset to publish', creators: [{ name: 'Doe, Jane' }],
      access_right: 'open', license: 'cc0', keywords: ['x'],
    });
    expect(String(reserved.metadata!.notes)).toContain(t.url);
    expect(Object.fromEntries([...reserved.files].map(([k, v]) => [k, v.toString()]))).toEqual({
      'example.txt': 'file contents of example.txt', 'data/table.csv': 'a,b\n1,2\n',
    });
    expect((await am.read(dataset.id)).config.zenodo.doi).toBe(record.doi);

    // Publishing again makes a new version of the record, uploading only files it lacks.
    await am.edit(kw({ artifact_id: dataset.id, stage: true, version: 'new' }));
    await am.write_file(kw({ artifact_id: dataset.id, file_path: 'new.txt', content: 'v1' }));
    await am.commit(dataset.id);
    zenodo.calls.length = 0;
    const again = await am.publish(kw({ artifact_id: dataset.id }));
    expect(again.id).not.toBe(reserved.id);
    expect(again.conceptrecid).toBe(reserved.conceptrecid);
    expect(zenodo.calls).toContain(`POST /api/deposit/depositions/${reserved.id}/actions/newversion`);
    expect(zenodo.calls.filter((c) => c.startsWith('PUT /api/files/'))).toEqual([`PUT /api/files/bucket-${again.id}/new.txt`]);
    expect((await am.read(dataset.id)).config.zenodo.id).toBe(again.id);
  });

  it('keeps the token out of errors, and names missing tokens, unknown targets and unreachable servers', async () => {
    const a = await am.create(kw({
      type: 'dataset', alias: 'bad-token', manifest: { name: 'N', description: 'D' }, secrets: { SANDBOX_ZENODO_ACCESS_TOKEN: 'not-the-token-abcdef' },
    }));
    const failure = am.publish(kw({ artifact_id: a.id, to: 'sandbox_zenodo' }));
    await expect(failure).rejects.toThrow(/Zenodo deposition request failed: POST .*\/api\/deposit\/depositions answered 403/);
    await expect(failure).rejects.not.toThrow(/not-the-token-abcdef/);
    await expect(am.publish(kw({ artifact_id: a.id, to: 'zenodo' }))).rejects.toThrow(/ValueError: Zenodo access token is not configured in secrets \(ZENODO_ACCESS_TOKEN\)/);
    await expect(am.publish(kw({ artifact_id: a.id, to: 'figshare' }))).rejects.toThrow(/Publishing to 'figshare' is not supported/);
    await expect(am.publish(kw({ artifact_id: a.id }))).rejects.toThrow(/Publishing to 'undefined' is not supported/);
    const inside = await am.create(kw({ parent_id: collection.id, alias: 'unreachable', manifest: { name: 'N', description: 'D' } }));
    await expect(am.publish(kw({ artifact_id: inside.id, to: 'zenodo' }))).rejects.toThrow(/Could not reach Zenodo \(POST http:\/\/127\.0\.0\.1:1\/api\/deposit\/depositions\)/);
    const noDescription = await am.create(kw({ alias: 'no-description', manifest: { name: 'N' } }));
    await expect(am.publish(kw({ artifact_id: noDescription.id, to: 'sandbox_zenodo' }))).rejects.toThrow(/Manifest must have a description/);
  });

  it('needs the publish permission, and a publish target for the {zenodo_id} placeholder', async () => {
    const a = await am.create(kw({ parent_id: collection.id, alias: 'not-yours', manifest: { name: 'N', description: 'D' } }));
    await expect(reader.publish(kw({ artifact_id: a.id, to: 'sandbox_zenodo' }))).rejects.toThrow(/permission to perform the operation 'publish'/);
    await expect(am.create(kw({ alias: 'z-{zenodo_id}', manifest: { name: 'N' } })))
      .rejects.toThrow(/Alias cannot contain the '\{zenodo_id\}' placeholder, set publish_to to 'zenodo' or 'sandbox_zenodo'/);
  });
});
