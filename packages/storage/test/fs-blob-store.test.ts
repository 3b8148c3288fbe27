import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore, MIN_PART_SIZE, isBlobStoreError, type BlobStore } from '../src/index.js';
import { fsFixture, readAll, type StoreFixture } from './fixtures.js';

const text = (s: string) => new TextEncoder().encode(s);

async function* failingBody() {
  yield text('partial data');
  throw new Error('client went away');
}

describe('FsBlobStore specifics', () => {
  let fixture: StoreFixture;
  let store: FsBlobStore;

  beforeAll(async () => {
    fixture = await fsFixture();
    store = fixture.store as FsBlobStore;
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('lists in S3 byte order, where "-" sorts before "/"', async () => {
    for (const key of ['o/a/1', 'o/a-1', 'o/a.b', 'o/a0', 'o/B']) await store.put(key, text(key));
    const page = await store.list('o/');
    expect(page.objects.map((o) => o.key)).toEqual(['o/B', 'o/a-1', 'o/a.b', 'o/a/1', 'o/a0']);
    const folders = await store.list('o/', { delimiter: '/' });
    expect(folders.prefixes).toEqual(['o/a/']);
  });

  it('leaves nothing behind when a streamed put fails', async () => {
    await expect(store.put('fail/x', failingBody())).rejects.toThrow('client went away');
    expect(await store.head('fail/x')).toBeUndefined();
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
    expect((await store.list('fail/')).objects).toEqual([]);
  });

  it('removes emptied folders so listings match S3', async () => {
    await store.put('prune/a/b/c.txt', text('c'));
    await store.put('prune/keep.txt', text('k'));
    await store.delete('prune/a/b/c.txt');
    expect(await store.list('prune/', { delimiter: '/' })).toEqual({
      objects: [expect.objectContaining({ key: 'prune/keep.txt' })],
      prefixes: [],
    });
  });

  it('reports an object/folder name clash as a conflict', async () => {
    await store.put('clash/a', text('file'));
    await expect(store.put('clash/a/b', text('x'))).rejects.toSatisfy((e) => isBlobStoreError(e, 'CONFLICT'));
    await store.put('clash2/a/b', text('x'));
    await expect(store.put('clash2/a', text('x'))).rejects.toSatisfy((e) => isBlobStoreError(e, 'CONFLICT'));
  });

  it('checks multipart parts, sizes and upload ids', async () => {
    const key = 'mpx/file';
    const upload = await store.createMultipartUpload(key);
    const small = await store.uploadPart(key, upload, 1, text('too small'));
    const last = await store.uploadPart(key, upload, 2, text('end'));
    await expect(
      store.completeMultipartUpload(key, upload, [
        { partNumber: 1, etag: small.etag },
        { partNumber: 2, etag: last.etag },
      ]),
    ).rejects.toThrow(/at least 5242880/);
    await expect(store.completeMultipartUpload(key, upload, [{ partNumber: 1, etag: '"wrong"' }])).rejects.toThrow(/does not match/);
    await expect(store.completeMultipartUpload(key, upload, [{ partNumber: 3, etag: last.etag }])).rejects.toThrow(/not uploaded/);
    await expect(store.uploadPart('other/key', upload, 1, text('x'))).rejects.toThrow(/another key/);
    await expect(store.uploadPart(key, '../../objects', 1, text('x'))).rejects.toSatisfy((e) => isBlobStoreError(e, 'MULTIPART'));

    const big = await store.uploadPart(key, upload, 1, new Uint8Array(MIN_PART_SIZE));
    await store.completeMultipartUpload(key, upload, [
      { partNumber: 1, etag: big.etag },
      { partNumber: 2, etag: last.etag },
    ]);
    await expect(store.uploadPart(key, upload, 1, text('late'))).rejects.toThrow(/no multipart upload/);

    const aborted = await store.createMultipartUpload(key);
    await store.uploadPart(key, aborted, 1, text('x'));
    await store.abortMultipartUpload(key, aborted);
    await expect(store.uploadPart(key, aborted, 2, text('y'))).rejects.toThrow(/no multipart upload/);
    expect(await readdir(join(store.root, 'uploads'))).toEqual([]);
  });

  it('answers signed-URL edge cases over HTTP', async () => {
    const s: BlobStore = store;
    await s.put('http/file.txt', text('0123456789'));
    const getUrl = await s.presignGet('http/file.txt', { expiresIn: 60 });

    const head = await fetch(getUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
    expect(head.headers.get('accept-ranges')).toBe('bytes');

    const suffix = await fetch(getUrl, { headers: { Range: 'bytes=-4' } });
    expect(suffix.status).toBe(206);
    expect(await suffix.text()).toBe('6789');

    const unsatisfiable = await fetch(getUrl, { headers: { Range: 'bytes=50-' } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get('content-range')).toBe('bytes */10');

    expect((await fetch(getUrl, { method: 'PUT', body: 'x' })).status).toBe(405);
    const putUrl = await s.presignPut('http/other.txt', { expiresIn: 60 });
    expect((await fetch(putUrl)).status).toBe(405);

    const preflight = await fetch(putUrl, { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'PUT' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');

    const missing = await fetch(await s.presignGet('http/none.txt', { expiresIn: 60 }));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ success: false, detail: 'no object under key "http/none.txt"' });

    const unsigned = new URL(getUrl);
    unsigned.searchParams.delete('sig');
    expect((await fetch(unsigned)).status).toBe(403);
    const otherKey = getUrl.replace('file.txt', 'none.txt');
    const forged = await fetch(otherKey);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toMatch(/signature does not match/);

    const body = await readAll((await s.get('http/file.txt')).body);
    expect(body.toString()).toBe('0123456789');
  });
});
