import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, type ArtifactBackend } from './helpers/artifact-backends.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// public/s3-storage (--enable-s3) as hypha's test_s3.py uses it, on a real s3rver: presigned
// URLs confined to the caller's workspace, batches, multipart, listing, removal, ttl, the HTTP
// multipart routes, and the same through the server with --enable-s3-proxy.

describe.each([false, true])('s3-storage (proxy: %s)', (proxy) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let s3: Proxy;
  let ws: string;
  let token: string;

  beforeAll(async () => {
    backend = await artifactBackend('postgres+s3');
    t = await startTestServer({ ...backend.options, enableS3Proxy: proxy });
    const { server } = await clients.connect(t.rootToken);
    s3 = await server.getService('public/s3-storage');
    ws = server.config.workspace;
    token = await server.generateToken();
  }, 60_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('hands out upload and download URLs under the workspace prefix (one or a batch)', async () => {
    const url: string = await s3.put_file('docs/a.txt');
    expect(url).toContain('X-Amz-Algorithm');
    expect(url.includes('/s3/')).toBe(proxy);
    expect(url).toContain(`/${ws}/docs/a.txt`);
    expect((await fetch(url, { method: 'PUT', body: 'alpha' })).status).toBe(200);
    const urls = await s3.put_file(kw({ file_path: ['docs/b.txt', 'docs/sub/c.txt'] }));
    expect(Object.keys(urls).sort()).toEqual(['docs/b.txt', 'docs/sub/c.txt']);
    for (const [p, u] of Object.entries(urls)) expect((await fetch(u as string, { method: 'PUT', body: p })).status).toBe(200);
    const got = await s3.get_file(kw({ file_path: ['docs/a.txt', 'docs/b.txt'] }));
    expect(await (await fetch(got['docs/a.txt'])).text()).toBe('alpha');
    const ranged = await fetch(got['docs/b.txt'], { headers: { Range: 'bytes=0-3' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('docs');
    const listed = (await s3.list_files('docs/')) as Array<{ name: string; type: string }>;
    expect(listed.map((f) => `${f.type}:${f.name}`).sort()).toEqual(['directory:sub', 'file:a.txt', 'file:b.txt']);
    await expect(s3.put_file('../other/x.txt')).rejects.toThrow(/Invalid path/);
    await expect(s3.list_files('/')).resolves.toBeDefined(); // root may list the whole bucket
  });

  it('removes files and directories, and reports a missing path', async () => {
    expect(await s3.remove_file('docs/a.txt')).toMatchObject({ success: true, message: expect.stringContaining('File deleted successfully') });
    expect(await s3.remove_file('docs/')).toMatchObject({ success: true, message: expect.stringContaining('Directory deleted successfully') });
    expect(await s3.list_files('docs/')).toEqual([]);
    expect(await s3.remove_file('nothing-here.txt')).toMatchObject({ success: false, message: expect.stringContaining('Path does not exist') });
  });

  it('uploads in parts through the service and through the HTTP routes', async () => {
    const part = Buffer.alloc(5 * 1024 * 1024, 1);
    const start = await s3.put_file_start_multipart(kw({ file_path: 'big.bin', part_count: 2 }));
    expect(start.parts.map((p: { part_number: number }) => p.part_number)).toEqual([1, 2]);
    const parts = [];
    for (const p of start.parts) {
      const r = await fetch(p.url, { method: 'PUT', body: p.part_number === 1 ? part : Buffer.from('tail') });
      expect(r.status).toBe(200);
      parts.push({ part_number: p.part_number, etag: r.headers.get('etag')!.replace(/"/g, '') });
    }
    expect(await s3.put_file_complete_multipart(kw({ upload_id: start.upload_id, parts }))).toMatchObject({ success: true, message: 'File uploaded successfully' });
    expect((await (await fetch(await s3.get_file('big.bin'))).arrayBuffer()).byteLength).toBe(part.length + 4);
    await expect(s3.put_file_start_multipart(kw({ file_path: 'x.bin', part_count: 0 }))).rejects.toThrow(/part_count must be between 1 and 10000/);

    const auth = { Authorization: `Bearer ${token}` };
    const created = await fetch(`${t.url}/${ws}/create-multipart-upload?path=http.bin&part_count=1`, { method: 'POST', headers: auth });
    expect(created.status).toBe(200);
    const info = (await created.json()) as { upload_id: string; parts: Array<{ url: string; part_number: number }> };
    const up = await fetch(info.parts[0]!.url, { method: 'PUT', body: 'over http' });
    const done = await fetch(`${t.url}/${ws}/complete-multipart-upload`, {
      method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ upload_id: info.upload_id, parts: [{ part_number: 1, etag: up.headers.get('etag')!.replace(/"/g, '') }] }),
    });
    expect(done.status).toBe(200);
    const file = await fetch(`${t.url}/${ws}/files/http.bin`, { headers: auth });
    expect(await file.text()).toBe('over http');
  });

  it('deletes a file uploaded with a ttl once it runs out', async () => {
    const url: string = await s3.put_file(kw({ file_path: 'ttl/short.txt', ttl: 1 }));
    expect((await fetch(url, { method: 'PUT', body: 'short' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await fetch(await s3.get_file('ttl/short.txt'))).status).toBe(404);
  });

  it('refuses writes for a caller without write permission in the workspace', async () => {
    const anon = await clients.connect();
    const anonS3 = await anon.server.getService('public/s3-storage');
    await expect(anonS3.put_file('x.txt')).rejects.toThrow(/Permission denied/);
    await expect(anonS3.generate_credential()).rejects.toThrow(/Permission denied: workspace is read-only/);
  });

  it('says why generate_credential cannot hand out S3 keys here', async () => {
    // The reference creates a MinIO user through MinIO's admin API; plain S3 has no such call.
    await expect(s3.generate_credential()).rejects.toThrow(
      /NotImplementedError: generate_credential is not available: .*MinIO admin API.*use put_file \/ get_file/,
    );
  });
});
