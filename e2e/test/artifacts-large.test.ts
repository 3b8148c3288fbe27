import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, BACKENDS, type ArtifactBackend } from './helpers/artifact-backends.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { readZip } from './helpers/zip-reader.js';

// Large transfers through a real server (in this process, so its memory is measured here):
// a 200 MB multipart upload downloaded intact, and a zip of 1,000 files streamed.

const MiB = 1024 * 1024;

/** Peak growth of JS heap + Buffer memory above the level at creation. */
function memoryWatch() {
  const level = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const baseline = level();
  let peak = 0;
  return {
    sample: () => void (peak = Math.max(peak, level() - baseline)),
    get peak() {
      return peak;
    },
  };
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

describe.each(BACKENDS)('large artifact transfers on %s', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let am: Proxy;
  let ws: string;

  beforeAll(async () => {
    backend = await artifactBackend(backendName);
    t = await startTestServer(backend.options);
    const root = await clients.connect(t.rootToken);
    am = root.am;
    ws = root.server.config.workspace;
  }, 60_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  it('uploads a 200 MB file in parts and downloads it intact', async () => {
    const partSize = 8 * MiB;
    const partCount = 25;
    const a = await am.create(kw({ alias: 'big', manifest: { name: 'Big' }, stage: true }));
    const { upload_id, parts } = await am.put_file_start_multipart(kw({ artifact_id: a.id, file_path: 'blob.bin', part_count: partCount }));
    expect(parts).toHaveLength(partCount);
    const seed = randomBytes(partSize);
    const partBytes = (n: number) => {
      const b = Buffer.from(seed);
      b.writeUInt32BE(n, 0);
      b.writeUInt32BE(n * 2654435761 >>> 0, partSize - 4);
      return b;
    };
    const expected = createHash('sha256');
    for (let n = 1; n <= partCount; n++) expected.update(partBytes(n));
    const etags: Array<{ part_number: number; etag: string }> = [];
    await pool(parts as Array<{ part_number: number; url: string }>, 4, async (p) => {
      const res = await fetch(p.url, { method: 'PUT', body: partBytes(p.part_number) });
      expect(res.status).toBe(200);
      etags.push({ part_number: p.part_number, etag: res.headers.get('etag')! });
    });
    etags.sort((x, y) => x.part_number - y.part_number);
    expect(await am.put_file_complete_multipart(kw({ artifact_id: a.id, upload_id, parts: etags }))).toMatchObject({ success: true });
    const committed = await am.commit(a.id);
    expect(committed.file_count).toBe(1);

    const res = await fetch(`${t.url}/${ws}/artifacts/big/files/blob.bin`, { headers: { Authorization: `Bearer ${t.rootToken}` } });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(partSize * partCount);
    const got = createHash('sha256');
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      got.update(chunk);
      size += chunk.byteLength;
    }
    expect(size).toBe(partSize * partCount);
    expect(got.digest('hex')).toBe(expected.digest('hex'));
  }, 120_000);

  // The zip streaming is the server's own code whatever the store; 1,000 uploads to s3rver take
  // most of a minute, so this one runs on the embedded setup (the core suite zips on both).
  if (backendName !== 'pglite+fs') return;
  it('streams a zip of 1,000 files without holding them in memory', async () => {
    const fileSize = 64 * 1024;
    const count = 1000;
    const a = await am.create(kw({ alias: 'many', manifest: { name: 'Many' }, stage: true }));
    const names = Array.from({ length: count }, (_, i) => `dir${i % 10}/file-${String(i).padStart(4, '0')}.bin`);
    const urls: Record<string, string> = await am.put_file(kw({ artifact_id: a.id, file_path: names }));
    const content = (i: number) => Buffer.alloc(fileSize, i % 251);
    await pool(names.map((n, i) => [n, i] as const), 8, async ([name, i]) => {
      const res = await fetch(urls[name]!, { method: 'PUT', body: content(i) });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    });
    expect((await am.commit(a.id)).file_count).toBe(count);

    const watch = memoryWatch();
    const res = await fetch(`${t.url}/${ws}/artifacts/many/create-zip-file`, { headers: { Authorization: `Bearer ${t.rootToken}` } });
    expect(res.status).toBe(200);
    const chunks: Buffer[] = [];
    let total = 0;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    // Read slowly enough that a server buffering the whole archive would show it.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      watch.sample();
      // Keep only a digest-sized trace in memory until the end of the measurement.
      chunks.push(Buffer.from(value));
      if (chunks.length % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    const zipSize = total;
    expect(zipSize).toBeGreaterThan(count * fileSize);
    // The received bytes are held here (zipSize); anything the server buffered comes on top.
    expect(watch.peak - zipSize).toBeLessThan((count * fileSize) / 2);
    const members = readZip(Buffer.concat(chunks));
    expect(members).toHaveLength(count);
    expect(members.map((m) => m.name).sort()).toEqual([...names].sort());
    expect(members.every((m) => m.crcOk && m.size === fileSize)).toBe(true);
  }, 120_000);
});
