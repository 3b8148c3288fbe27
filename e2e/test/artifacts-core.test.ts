import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, bytes, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, BACKENDS, type ArtifactBackend } from './helpers/artifact-backends.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// The artifact manager through a real server, driven by the npm hypha-rpc client, on both
// storage setups: PGlite + filesystem (the default) and PostgreSQL + S3 (s3rver).

describe.each(BACKENDS)('artifact manager on %s', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let root: { server: Proxy; am: Proxy };
  let ws: string;

  beforeAll(async () => {
    backend = await artifactBackend(backendName);
    t = await startTestServer(backend.options);
    root = await clients.connect(t.rootToken);
    ws = root.server.config.workspace;
  }, 60_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('creates a collection with a schema, stages a child, uploads, commits and reads it back', async () => {
    const collection = await root.am.create(kw({
      alias: 'datasets',
      type: 'collection',
      manifest: { name: 'Datasets', description: 'All datasets' },
      config: { collection_schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    }));
    expect(collection.id).toBe(`${ws}/datasets`);
    expect(collection.versions).toHaveLength(1);
    expect(collection.versions[0].version).toBe('v0');

    await expect(root.am.create(kw({ alias: 'bad', parent_id: collection.id, manifest: { description: 'no name' } }))).rejects.toThrow(/collection_schema/);

    const child = await root.am.create(kw({ alias: 'cells', parent_id: collection.id, manifest: { name: 'Cells' }, stage: true }));
    expect(child.parent_id).toBe(`${ws}/datasets`);
    expect(child.versions).toEqual([]);
    expect(child.staging).toEqual([]);

    const url: string = await root.am.put_file(kw({ artifact_id: child.id, file_path: 'data/a.csv', download_weight: 2 }));
    const put = await fetch(url, { method: 'PUT', body: 'x,y\n1,2\n' });
    expect(put.status).toBe(200);
    const committed = await root.am.commit(kw({ artifact_id: child.id, comment: 'first' }));
    expect(committed.versions.map((v: any) => v.version)).toEqual(['v0']);
    expect(committed.staging).toBeNull();
    expect(committed.file_count).toBe(1);
    expect(committed.config.download_weights).toEqual({ 'data/a.csv': 2 });

    const read = await root.am.read(kw({ artifact_id: child.id }));
    expect(read.manifest).toEqual({ name: 'Cells' });
    expect(read.view_count).toBe(1);
    const col = await root.am.read(kw({ artifact_id: collection.id, silent: true }));
    expect(col.config.child_count).toBe(1);
    expect(col.config.is_collection).toBe(true);

    expect(await root.am.list_files(kw({ artifact_id: child.id }))).toEqual([{ type: 'directory', name: 'data' }]);
    const listed = await root.am.list_files(kw({ artifact_id: child.id, dir_path: 'data' }));
    expect(listed.map((f: any) => [f.type, f.name, f.size])).toEqual([['file', 'a.csv', 8]]);

    const getUrl: string = await root.am.get_file(kw({ artifact_id: child.id, file_path: 'data/a.csv' }));
    const got = await fetch(getUrl);
    expect((await bytes(got)).toString()).toBe('x,y\n1,2\n');
    expect((await root.am.read(kw({ artifact_id: child.id, silent: true }))).download_count).toBe(2);

    const children = await root.am.list(kw({ parent_id: collection.id }));
    expect(children.map((c: any) => c.id)).toEqual([`${ws}/cells`]);
  });

  it('keeps versions: in-place staged edits, version="new", old versions readable, latest deletable', async () => {
    const a = await root.am.create(kw({ alias: 'versioned', manifest: { name: 'V', n: 0 } }));
    await root.am.edit(kw({ artifact_id: a.id, manifest: { name: 'V', n: 1 }, stage: true }));
    await root.am.write_file(kw({ artifact_id: a.id, file_path: 'notes.txt', content: 'one' }));
    const inPlace = await root.am.commit(kw({ artifact_id: a.id }));
    expect(inPlace.versions.map((v: any) => v.version)).toEqual(['v0']);
    expect(inPlace.manifest.n).toBe(1);

    await root.am.edit(kw({ artifact_id: a.id, manifest: { name: 'V', n: 2 }, version: 'new', stage: true }));
    const staged = await root.am.read(kw({ artifact_id: a.id, stage: true, silent: true }));
    expect(staged.manifest.n).toBe(2);
    expect(staged.staging).toEqual([{ _intent: 'new_version' }]);
    expect((await root.am.read(kw({ artifact_id: a.id, silent: true }))).manifest.n).toBe(1);
    await root.am.write_file(kw({ artifact_id: a.id, file_path: 'notes.txt', content: 'two' }));
    const v1 = await root.am.commit(kw({ artifact_id: a.id, comment: 'second' }));
    expect(v1.versions.map((v: any) => [v.version, v.comment])).toEqual([['v0', 'Initial version'], ['v1', 'second']]);

    const old = await root.am.read(kw({ artifact_id: a.id, version: 'v0', silent: true }));
    expect(old.manifest.n).toBe(1);
    const text = async (version: string) => (await root.am.read_file(kw({ artifact_id: a.id, file_path: 'notes.txt', version }))).content;
    expect(await text('v0')).toBe('one');
    expect(await text('v1')).toBe('two');
    expect((await root.am.read_file(kw({ artifact_id: a.id, file_path: 'notes.txt', offset: 1, limit: 1 }))).content).toBe('w');

    await root.am.delete(kw({ artifact_id: a.id, version: 'v1', delete_files: true }));
    expect((await root.am.read(kw({ artifact_id: a.id, silent: true }))).versions).toHaveLength(1);
    // Any committed version may go (the reference's rule, see artifacts-reference-rules); unknown ones are refused.
    await expect(root.am.delete(kw({ artifact_id: a.id, version: 'v7' }))).rejects.toThrow(/Version 'v7' does not exist/);

    await root.am.edit(kw({ artifact_id: a.id, version: 'new', stage: true, manifest: { name: 'V', n: 9 } }));
    await root.am.write_file(kw({ artifact_id: a.id, file_path: 'tmp.txt', content: 'gone' }));
    const discarded = await root.am.discard(a.id);
    expect(discarded.staging).toBeNull();
    expect(discarded.manifest.n).toBe(1);
    await expect(root.am.commit(a.id)).rejects.toThrow(/no staged changes/);
    expect((await root.am.list_files(kw({ artifact_id: a.id }))).map((f: any) => f.name)).toEqual(['notes.txt']);

    await root.am.delete(kw({ artifact_id: a.id, delete_files: true }));
    await expect(root.am.read(a.id)).rejects.toThrow(/does not exist/);
  });

  it('fills alias templates from id_parts and refuses duplicate aliases', async () => {
    const col = await root.am.create(kw({
      alias: 'templated', type: 'collection', manifest: { name: 'T' },
      config: { id_parts: { animal: ['cat', 'dog'], color: ['red'] } },
    }));
    const child = await root.am.create(kw({ alias: '{color}-{animal}-{timestamp}', parent_id: col.id, manifest: { name: 'c' } }));
    expect(child.alias).toMatch(/^red-(cat|dog)-\d+$/);
    const unnamed = await root.am.create(kw({ parent_id: col.id, manifest: { name: 'u' } }));
    expect(unnamed.alias).toMatch(/^[a-z]+-[a-z]+-[a-z]+-[a-z]+$/);
    await expect(root.am.create(kw({ alias: child.alias, manifest: { name: 'dup' } }))).rejects.toThrow(/already exists/);
    await expect(root.am.create(kw({ alias: '{nope}', parent_id: col.id, manifest: { name: 'x' } }))).rejects.toThrow(/Unknown alias placeholder/);
    await root.am.delete(kw({ artifact_id: col.id, recursive: true, delete_files: true }));
  });

  it('lists and searches with keywords, filters, order_by, stage and pagination', async () => {
    const col = await root.am.create(kw({ alias: 'zoo', type: 'collection', manifest: { name: 'Zoo' } }));
    const animals = [
      { alias: 'lion', manifest: { name: 'Lion', legs: 4, tags: ['cat', 'big'], habitat: { zone: 'savanna' } } },
      { alias: 'eagle', manifest: { name: 'Eagle', legs: 2, tags: ['bird'], habitat: { zone: 'mountain' } } },
      { alias: 'tiger', manifest: { name: 'Tiger 100%_real', legs: 4, tags: ['cat'], habitat: { zone: 'jungle' } } },
      { alias: 'snake', manifest: { name: 'Snake', legs: 0, tags: [], habitat: { zone: 'jungle' } } },
    ];
    for (const a of animals) await root.am.create(kw({ ...a, parent_id: col.id }));
    await root.am.create(kw({ alias: 'draft-yak', parent_id: col.id, manifest: { name: 'Yak', legs: 4 }, stage: true }));
    const aliases = (items: any[]) => items.map((i) => i.alias);
    const list = (args: Record<string, unknown>) => root.am.list(kw({ parent_id: col.id, ...args }));

    expect(aliases(await list({}))).toEqual(['lion', 'eagle', 'tiger', 'snake']);
    expect(aliases(await list({ order_by: 'manifest.legs>' }))).toEqual(['lion', 'tiger', 'eagle', 'snake']);
    expect(aliases(await list({ order_by: 'manifest.name<' }))).toEqual(['eagle', 'lion', 'snake', 'tiger']);
    expect(aliases(await list({ keywords: ['ger'] }))).toEqual(['tiger']);
    expect(aliases(await list({ keywords: ['100%_'] }))).toEqual(['tiger']);
    expect(aliases(await list({ keywords: ['%'] }))).toEqual(['tiger']);
    expect(aliases(await list({ filters: { manifest: { legs: 4 } } }))).toEqual(['lion', 'tiger']);
    expect(aliases(await list({ filters: { manifest: { name: 'T*' } } }))).toEqual(['tiger']);
    expect(aliases(await list({ filters: { manifest: { tags: ['cat', 'big'] } } }))).toEqual(['lion']);
    expect(aliases(await list({ filters: { manifest: { tags: { $in: ['bird', 'big'] } } } }))).toEqual(['lion', 'eagle']);
    expect(aliases(await list({ filters: { manifest: { habitat: { zone: 'jungle' } } } }))).toEqual(['tiger', 'snake']);
    expect(aliases(await list({ filters: { manifest: { $or: [{ legs: 2 }, { legs: 0 }] } } }))).toEqual(['eagle', 'snake']);
    expect(aliases(await list({ filters: { manifest: { name: { $like: 'S%' } } } }))).toEqual(['snake']);
    expect(aliases(await list({ keywords: ['eagle'], filters: { manifest: { legs: 0 } }, mode: 'OR' }))).toEqual(['eagle', 'snake']);
    expect(aliases(await list({ stage: true }))).toEqual(['draft-yak']);
    expect(aliases(await list({ stage: 'all' }))).toHaveLength(5);
    const page = await list({ limit: 2, offset: 1, pagination: true });
    expect(page.total).toBe(4);
    expect(aliases(page.items)).toEqual(['eagle', 'tiger']);
    await expect(list({ filters: { nonsense: 1 } })).rejects.toThrow(/Invalid filter key/);

    const found = await root.am.search(kw({ keywords: ['Zoo'] }));
    expect(aliases(found)).toEqual(['zoo']);
    const top = await root.am.list(kw({}));
    expect(aliases(top)).toContain('zoo');
    expect(aliases(top)).not.toContain('lion');
    await root.am.delete(kw({ artifact_id: col.id, recursive: true }));
  });

  it('binds every keyword, filter and order_by value: injection attempts find nothing or are refused', async () => {
    const col = await root.am.create(kw({ alias: 'inject', type: 'collection', manifest: { name: 'I' } }));
    await root.am.create(kw({ alias: 'victim', parent_id: col.id, manifest: { name: "O'Brien", k: 'v' } }));
    const list = (args: Record<string, unknown>) => root.am.list(kw({ parent_id: col.id, ...args }));
    for (const keyword of ["' OR '1'='1", "'; DROP TABLE artifacts; --", "%' OR 1=1 --", '\\']) {
      expect(await list({ keywords: [keyword] })).toEqual([]);
    }
    expect((await list({ keywords: ["O'Brien"] })).map((a: any) => a.alias)).toEqual(['victim']);
    expect(await list({ filters: { manifest: { name: "x' OR '1'='1" } } })).toEqual([]);
    expect(await list({ filters: { manifest: { "name') OR true --": 'x' } } })).toEqual([]);
    expect(await list({ filters: { type: "generic' OR '1'='1" } })).toEqual([]);
    expect(await list({ filters: { 'config.permissions': { "root' OR '1'='1": '*' } } })).toEqual([]);
    await expect(list({ filters: { created_at: "0; DROP TABLE artifacts" } })).rejects.toThrow(/must be a number/);
    for (const order of ['id; DROP TABLE artifacts', 'manifest.name); DROP TABLE artifacts; --', '(select 1)', 'secrets', 'manifest.a b']) {
      await expect(list({ order_by: order })).rejects.toThrow(/Invalid order_by/);
    }
    await expect(list({ mode: 'AND 1=1' })).rejects.toThrow(/mode must be/);
    // The table is still there and intact.
    expect((await list({})).map((a: any) => a.alias)).toEqual(['victim']);
    await root.am.delete(kw({ artifact_id: col.id, recursive: true }));
  });

  it('rejects path traversal in file paths over RPC and HTTP', async () => {
    const a = await root.am.create(kw({ alias: 'paths', manifest: { name: 'P' }, stage: true }));
    for (const bad of ['../escape.txt', 'a/../../b', '/etc/passwd', 'a//b', './../x', 'a\\..\\b', 'dir/./x']) {
      await expect(root.am.put_file(kw({ artifact_id: a.id, file_path: bad }))).rejects.toThrow(/file_path/);
      await expect(root.am.write_file(kw({ artifact_id: a.id, file_path: bad, content: 'x' }))).rejects.toThrow(/file_path/);
    }
    await root.am.write_file(kw({ artifact_id: a.id, file_path: 'ok.txt', content: 'fine' }));
    await root.am.commit(a.id);
    await expect(root.am.get_file(kw({ artifact_id: a.id, file_path: '../../other/v0/ok.txt' }))).rejects.toThrow(/path traversal/);
    await expect(root.am.list_files(kw({ artifact_id: a.id, dir_path: '../..' }))).rejects.toThrow(/path traversal/);
    const auth = { Authorization: `Bearer ${t.rootToken}` };
    // (fetch resolves literal and %2e dot segments itself; encoded slashes reach the server.)
    for (const path of ['..%2F..%2Fpaths%2Fv0%2Fok.txt', 'sub%2F..%2F..%2Fx', 'a/..%2f..%2fx']) {
      const res = await fetch(`${t.url}/${ws}/artifacts/paths/files/${path}`, { headers: auth });
      expect(res.status).toBe(400);
      expect((await res.json()).detail).toMatch(/path traversal/);
    }
    const raw = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: t.server.port, path: `/${ws}/artifacts/paths/files/a/../../x`, headers: auth }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(raw).toBe(400);
    const put = await fetch(`${t.url}/${ws}/artifacts/paths/files/..%2Fx.txt`, { method: 'PUT', headers: auth, body: 'x' });
    expect(put.status).toBe(400);
    expect((await fetch(`${t.url}/${ws}/artifacts/paths/files/ok.txt`, { headers: auth }).then(bytes)).toString()).toBe('fine');
  });

  it('serves the HTTP routes: listings, read, files with Range, PUT upload, multipart and zip', async () => {
    const auth = { Authorization: `Bearer ${t.rootToken}` };
    const base = `${t.url}/${ws}/artifacts`;
    const col = await root.am.create(kw({ alias: 'web', type: 'collection', manifest: { name: 'Web' }, config: { permissions: { '*': 'r' } } }));
    await root.am.create(kw({ alias: 'site', parent_id: col.id, manifest: { name: 'Site' }, stage: true }));
    const upload = await fetch(`${base}/site/files/docs/index.html?download_weight=1`, { method: 'PUT', headers: auth, body: '<h1>hello</h1>' });
    expect(upload.status).toBe(200);
    expect(upload.headers.get('etag')).toBeTruthy();
    expect(await upload.json()).toMatchObject({ success: true });
    await root.am.write_file(kw({ artifact_id: 'site', file_path: 'readme.md', content: '# Site' }));
    await root.am.commit('site');

    const top = await fetch(`${base}/`, { headers: auth }).then((r) => r.json());
    expect(top.map((a: any) => a.alias)).toContain('web');
    const children = await fetch(`${base}/web/children?pagination=true`, { headers: auth }).then((r) => r.json());
    expect(children.total).toBe(1);
    expect(children.items[0].alias).toBe('site');
    const searched = await fetch(`${base}/-/search?keywords=Site`, { headers: auth }).then((r) => r.json());
    expect(searched.map((a: any) => a.alias)).toEqual(['site']);
    const read = await fetch(`${base}/site`, { headers: auth }).then((r) => r.json());
    expect(read.manifest).toEqual({ name: 'Site' });
    expect((await fetch(`${base}/missing`, { headers: auth })).status).toBe(404);

    const listing = await fetch(`${base}/site/files/`, { headers: auth }).then((r) => r.json());
    expect(listing.map((f: any) => f.name).sort()).toEqual(['docs', 'readme.md']);
    const sub = await fetch(`${base}/site/files/docs/`, { headers: auth }).then((r) => r.json());
    expect(sub.map((f: any) => f.name)).toEqual(['index.html']);

    const full = await fetch(`${base}/site/files/docs/index.html`, { headers: auth });
    expect(full.status).toBe(200);
    expect((await bytes(full)).toString()).toBe('<h1>hello</h1>');
    const part = await fetch(`${base}/site/files/docs/index.html`, { headers: { ...auth, Range: 'bytes=4-8' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 4-8/14');
    expect((await bytes(part)).toString()).toBe('hello');
    expect((await fetch(`${base}/site/files/docs/index.html`, { headers: { ...auth, Range: 'bytes=100-' } })).status).toBe(416);
    const cors = await fetch(`${base}/site/files/readme.md`, { headers: { ...auth, Origin: 'https://app.example.org' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
    expect(cors.headers.get('access-control-expose-headers')).toContain('Content-Range');
    await cors.arrayBuffer();
    const preflight = await fetch(`${base}/site/files/x.bin`, { method: 'OPTIONS', headers: { Origin: 'https://app.example.org', 'Access-Control-Request-Method': 'PUT' } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    const redirect = await fetch(`${base}/site/files/readme.md?use_proxy=false`, { headers: auth, redirect: 'manual' });
    expect(redirect.status).toBe(307);
    expect((await fetch(redirect.headers.get('location')!).then(bytes)).toString()).toBe('# Site');
    expect((await fetch(`${base}/site/files/nope.txt`, { headers: auth })).status).toBe(404);
    // Public read (config.permissions '*': 'r' on the parent) works without a token.
    expect((await fetch(`${base}/site/files/readme.md`).then(bytes)).toString()).toBe('# Site');
    // Only docs/index.html has a weight (1); ranged reads and weightless files add nothing.
    expect((await root.am.read(kw({ artifact_id: 'site', silent: true }))).download_count).toBe(1);

    await root.am.edit(kw({ artifact_id: 'site', stage: true }));
    const start = await fetch(`${base}/site/create-multipart-upload?path=big.bin&part_count=2`, { method: 'POST', headers: auth }).then((r) => r.json());
    expect(start.parts.map((p: any) => p.part_number)).toEqual([1, 2]);
    const first = Buffer.alloc(5 * 1024 * 1024, 1);
    const second = Buffer.from('tail');
    const etags = [];
    for (const [i, body] of [first, second].entries()) {
      const res = await fetch(start.parts[i].url, { method: 'PUT', body });
      expect(res.status).toBe(200);
      etags.push({ part_number: i + 1, etag: res.headers.get('etag') });
    }
    const done = await fetch(`${base}/site/complete-multipart-upload`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ upload_id: start.upload_id, parts: etags }) });
    expect(done.status).toBe(200);
    await root.am.commit('site');
    const big = await fetch(`${base}/site/files/big.bin`, { headers: auth }).then(bytes);
    expect(createHash('sha256').update(big).digest('hex')).toBe(createHash('sha256').update(Buffer.concat([first, second])).digest('hex'));

    const zip = await fetch(`${base}/site/create-zip-file?file=readme.md&file=docs/index.html`, { headers: auth });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-disposition')).toContain('site.zip');
    const zipped = await bytes(zip);
    expect(zipped.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(zipped.includes(Buffer.from('<h1>hello</h1>'))).toBe(true);
    expect(zipped.includes(Buffer.from('# Site'))).toBe(true);
    expect((await fetch(`${base}/site/create-zip-file?file=../x`, { headers: auth })).status).toBe(400);
  });

  it('keeps secrets out of every view, and counts downloads by weight', async () => {
    const a = await root.am.create(kw({ alias: 'secretive', manifest: { name: 'S' }, secrets: { API_KEY: 'k1' } }));
    expect(a).not.toHaveProperty('secrets');
    expect(await root.am.get_secret(kw({ artifact_id: a.id, secret_key: 'API_KEY' }))).toBe('k1');
    await root.am.set_secret(kw({ artifact_id: a.id, secret_key: 'OTHER', secret_value: 'k2' }));
    expect(await root.am.get_secret(kw({ artifact_id: a.id }))).toEqual({ API_KEY: 'k1', OTHER: 'k2' });
    expect(JSON.stringify(await root.am.list(kw({})))).not.toContain('k1');
    await root.am.edit(kw({ artifact_id: a.id, stage: true }));
    await root.am.write_file(kw({ artifact_id: a.id, file_path: 'w.txt', content: 'w' }));
    await root.am.commit(a.id);
    await root.am.set_download_weight(kw({ artifact_id: a.id, file_path: 'w.txt', download_weight: 0.5 }));
    await root.am.get_file(kw({ artifact_id: a.id, file_path: 'w.txt' }));
    await root.am.get_file(kw({ artifact_id: a.id, file_path: 'w.txt' }));
    await root.am.get_file(kw({ artifact_id: a.id, file_path: 'w.txt', silent: true }));
    expect((await root.am.read(kw({ artifact_id: a.id, silent: true }))).download_count).toBe(1);
    await root.am.reset_stats(a.id);
    const reset = await root.am.read(kw({ artifact_id: a.id, silent: true }));
    expect([reset.download_count, reset.view_count]).toEqual([0, 0]);
  });

  it('loses nothing when two clients stage files and commit the same artifact at once', async () => {
    const other = await clients.connect(t.rootToken);
    const a = await root.am.create(kw({ alias: 'contended', manifest: { name: 'C' } }));
    await root.am.edit(kw({ artifact_id: a.id, version: 'new', stage: true, manifest: { name: 'C', round: 1 } }));
    const writers = [root.am, other.am];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => writers[i % 2]!.write_file(kw({ artifact_id: a.id, file_path: `f${i}.txt`, content: `content ${i}` }))),
    );
    const staged = await root.am.read(kw({ artifact_id: a.id, stage: true, silent: true }));
    expect(staged.staging.filter((e: any) => e.path).map((e: any) => e.path).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}.txt`).sort());
    const results = await Promise.allSettled([root.am.commit(kw({ artifact_id: a.id, comment: 'A' })), other.am.commit(kw({ artifact_id: a.id, comment: 'B' }))]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(String(failed[0]!.reason)).toMatch(/no staged changes/);
    const final = await root.am.read(kw({ artifact_id: a.id, silent: true }));
    expect(final.versions.map((v: any) => v.version)).toEqual(['v0', 'v1']);
    expect(final.file_count).toBe(20);
    expect(final.manifest.round).toBe(1);

    // Two concurrent edit+commit rounds with new versions: both versions land, none is lost.
    const round = async (am: Proxy, n: number) => {
      for (;;) {
        try {
          await am.edit(kw({ artifact_id: a.id, version: 'new', stage: true, manifest: { name: 'C', round: n } }));
          await am.write_file(kw({ artifact_id: a.id, file_path: `round${n}.txt`, content: String(n) }));
          return await am.commit(kw({ artifact_id: a.id, comment: `round ${n}` }));
        } catch (err) {
          // The other client committed our staged changes first: stage again.
          if (!/no staged changes|must be in staging mode/.test(String(err))) throw err;
        }
      }
    };
    await Promise.all([round(root.am, 2), round(other.am, 3)]);
    const after = await root.am.read(kw({ artifact_id: a.id, silent: true }));
    const comments = after.versions.map((v: any) => v.comment);
    expect(after.versions.length).toBeGreaterThanOrEqual(3);
    expect(comments.some((c: string) => c === 'round 2') || comments.some((c: string) => c === 'round 3')).toBe(true);
    const files = new Set<string>();
    for (let i = 0; i < after.versions.length; i++) {
      for (const f of await root.am.list_files(kw({ artifact_id: a.id, version: i }))) files.add(f.name);
    }
    expect(files.has('round2.txt') && files.has('round3.txt')).toBe(true);
  });
});
