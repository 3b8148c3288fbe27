import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  BlobRangeError,
  InvalidBlobKeyError,
  MIN_PART_SIZE,
  isBlobStoreError,
  type BlobStore,
  type ListResult,
} from '../src/index.js';
import { fsFixture, generated, memoryWatch, readAll, s3Fixture, sha256Of, type StoreFixture } from './fixtures.js';

const text = (s: string) => new TextEncoder().encode(s);
const MiB = 1024 * 1024;

async function* pieces(...parts: string[]) {
  for (const part of parts) yield text(part);
}

async function getText(store: BlobStore, key: string): Promise<string> {
  const { body } = await store.get(key);
  return (await readAll(body)).toString('utf8');
}

async function listAll(
  fixture: StoreFixture,
  prefix: string,
  delimiter?: '/',
): Promise<{ keys: string[]; prefixes: string[] }> {
  const { store } = fixture;
  const pageSize = fixture.serverLacks.pagedListing ? 1000 : 2;
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const page: ListResult = await store.list(prefix, { delimiter, maxKeys: pageSize, continuationToken: token });
    expect(page.objects.length + page.prefixes.length).toBeLessThanOrEqual(pageSize);
    keys.push(...page.objects.map((o) => o.key));
    prefixes.push(...page.prefixes);
    token = page.continuationToken;
  } while (token !== undefined);
  return { keys, prefixes };
}

describe.each([
  ['filesystem', fsFixture],
  ['s3', s3Fixture],
] as const)('BlobStore contract: %s', (_name, makeFixture) => {
  let fixture: StoreFixture;
  let store: BlobStore;

  beforeAll(async () => {
    fixture = await makeFixture();
    store = fixture.store;
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('puts bytes and streams, reads them back, and reports metadata', async () => {
    const first = await store.put('put/a.txt', text('hello world'));
    expect(first).toMatchObject({ key: 'put/a.txt', size: 11 });
    expect(first.etag).toMatch(/^".+"$/);
    expect(await getText(store, 'put/a.txt')).toBe('hello world');

    const info = await store.head('put/a.txt');
    expect(info).toMatchObject({ key: 'put/a.txt', size: 11, etag: first.etag });
    expect(info?.lastModified).toBeInstanceOf(Date);

    const second = await store.put('put/a.txt', pieces('new ', 'content', ' ✓'), { size: 15 });
    expect(second.size).toBe(15);
    expect(second.etag).not.toBe(first.etag);
    expect(await getText(store, 'put/a.txt')).toBe('new content ✓');

    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(text('from a '));
        controller.enqueue(text('web stream'));
        controller.close();
      },
    });
    await store.put('put/web.txt', web);
    expect(await getText(store, 'put/web.txt')).toBe('from a web stream');

    await store.put('put/empty', new Uint8Array(0));
    expect(await store.head('put/empty')).toMatchObject({ size: 0 });
    expect(await getText(store, 'put/empty')).toBe('');
  });

  it('rejects a body whose length differs from the declared size and keeps the old object', async () => {
    await store.put('size/x', text('original'));
    await expect(store.put('size/x', pieces('too', ' long'), { size: 3 })).rejects.toSatisfy((e) => isBlobStoreError(e, 'SIZE_MISMATCH'));
    await expect(store.put('size/x', pieces('short'), { size: 100 })).rejects.toSatisfy((e) => isBlobStoreError(e, 'SIZE_MISMATCH'));
    expect(await getText(store, 'size/x')).toBe('original');
  });

  it('reads byte ranges and rejects ranges outside the object', async () => {
    await store.put('range/digits', text('0123456789'));
    const cases = [
      [{ start: 2, end: 5 }, '2345', { start: 2, end: 5 }],
      [{ start: 7 }, '789', { start: 7, end: 9 }],
      [{ start: 8, end: 100 }, '89', { start: 8, end: 9 }],
      [{ suffix: 3 }, '789', { start: 7, end: 9 }],
    ] as const;
    const supported = cases.filter(([range]) => !('suffix' in range) || !fixture.serverLacks.suffixRanges);
    for (const [range, expected, resolved] of supported) {
      const read = await store.get('range/digits', { range });
      expect((await readAll(read.body)).toString()).toBe(expected);
      expect(read.contentLength).toBe(expected.length);
      expect(read.range).toEqual(resolved);
      expect(read.info.size).toBe(10);
    }
    const error = await store.get('range/digits', { range: { start: 10 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobRangeError);
    expect((error as BlobRangeError).size).toBe(10);
  });

  it('reports missing objects', async () => {
    await expect(store.get('missing/nothing')).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await store.head('missing/nothing')).toBeUndefined();
    await expect(store.copy('missing/nothing', 'missing/copy')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('deletes objects and prefixes', async () => {
    await store.put('del/one', text('1'));
    await store.delete('del/one');
    await store.delete('del/one'); // deleting again is fine
    expect(await store.head('del/one')).toBeUndefined();

    for (const key of ['del/p/a', 'del/p/b/c', 'del/p/b/d', 'del/pp', 'del/q']) await store.put(key, text(key));
    expect(await store.deletePrefix('del/p/')).toBe(3);
    expect((await listAll(fixture, 'del/')).keys).toEqual(['del/pp', 'del/q']);
    expect(await store.deletePrefix('del/')).toBe(2);
    expect((await listAll(fixture, 'del/')).keys).toEqual([]);
    await expect(store.deletePrefix('')).rejects.toSatisfy((e) => isBlobStoreError(e, 'INVALID_ARGUMENT'));
  });

  it('lists in key order, with folders, across pages', async () => {
    // Every folder listed below directly holds an object (see DESIGN.md §8 on s3rver listings), and
    // no key has a character below "/" where a sibling has "/" (s3rver orders by folder walk).
    const keys = ['ls/d/top.txt', 'ls/d/x.txt', 'ls/d/sub/y.txt', 'ls/d/sub/deep/z.txt', 'ls/dz.txt', 'ls/e.txt'];
    for (const key of keys) await store.put(key, text(key));

    expect((await listAll(fixture, 'ls/d/')).keys).toEqual(['ls/d/sub/deep/z.txt', 'ls/d/sub/y.txt', 'ls/d/top.txt', 'ls/d/x.txt']);
    expect(await listAll(fixture, 'ls/d/', '/')).toEqual({ keys: ['ls/d/top.txt', 'ls/d/x.txt'], prefixes: ['ls/d/sub/'] });
    expect(await listAll(fixture, 'ls/d', '/')).toEqual({ keys: ['ls/dz.txt'], prefixes: ['ls/d/'] });
    expect((await listAll(fixture, 'ls/')).keys).toEqual([...keys].sort());

    const page = await store.list('ls/d/', { delimiter: '/' });
    expect(page.objects.map((o) => [o.key, o.size])).toEqual([
      ['ls/d/top.txt', 12],
      ['ls/d/x.txt', 10],
    ]);
    expect(page.continuationToken).toBeUndefined();
    await expect(store.list('ls/', { delimiter: '|' })).rejects.toSatisfy((e) => isBlobStoreError(e, 'INVALID_ARGUMENT'));
  });

  it('copies objects', async () => {
    await store.put('copy/src', text('copied bytes'));
    const copied = await store.copy('copy/src', 'copy/nested/dst');
    expect(copied).toMatchObject({ key: 'copy/nested/dst', size: 12 });
    expect(await getText(store, 'copy/nested/dst')).toBe('copied bytes');
    expect(await getText(store, 'copy/src')).toBe('copied bytes');
  });

  it('assembles multipart uploads', async () => {
    const upload = await store.createMultipartUpload('mp/file.bin');
    const partOne = Buffer.alloc(MIN_PART_SIZE, 1);
    const one = await store.uploadPart('mp/file.bin', upload, 1, partOne);
    const two = await store.uploadPart('mp/file.bin', upload, 2, pieces('tail'), { size: 4 });
    await expect(
      store.completeMultipartUpload('mp/file.bin', upload, [
        { partNumber: 2, etag: two.etag },
        { partNumber: 1, etag: one.etag },
      ]),
    ).rejects.toSatisfy((e) => isBlobStoreError(e, 'MULTIPART'));
    const done = await store.completeMultipartUpload('mp/file.bin', upload, [
      { partNumber: 1, etag: one.etag },
      { partNumber: 2, etag: two.etag },
    ]);
    expect(done).toMatchObject({ key: 'mp/file.bin', size: MIN_PART_SIZE + 4 });
    const tail = await store.get('mp/file.bin', { range: { start: MIN_PART_SIZE - 1 } });
    expect((await readAll(tail.body)).toString('latin1')).toBe('\u0001tail');
    await expect(store.uploadPart('mp/file.bin', upload, 0, text('x'))).rejects.toSatisfy((e) => isBlobStoreError(e, 'INVALID_ARGUMENT'));
  });

  it('rejects keys that escape the store', async () => {
    const bad = ['../x', 'a/../../b', 'a/./b', '/etc/passwd', 'a\0b', '', 'a//b', 'dir/', 'a\\..\\b', 'tab\there'];
    for (const key of bad) {
      await expect(store.put(key, text('x')), JSON.stringify(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(store.get(key), JSON.stringify(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(store.presignGet(key, { expiresIn: 60 }), JSON.stringify(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    }
    await expect(store.list('../')).rejects.toThrow(/"\.\." segment/);
    await expect(store.deletePrefix('/abs/')).rejects.toThrow(/absolute/);
    await expect(store.put('a\0b', text('x'))).rejects.toThrow(/NUL/);
  });

  it('serves presigned PUT and GET URLs over HTTP and refuses expired ones', async () => {
    const putUrl = await store.presignPut('signed/dir/file name ✓.txt', { expiresIn: 300 });
    const put = await fetch(putUrl, { method: 'PUT', body: 'uploaded over http' });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^".+"$/);
    expect(await getText(store, 'signed/dir/file name ✓.txt')).toBe('uploaded over http');

    const getUrl = await store.presignGet('signed/dir/file name ✓.txt', { expiresIn: 300 });
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('uploaded over http');

    const ranged = await fetch(getUrl, { headers: { Range: 'bytes=9-12' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 9-12/18');
    expect(await ranged.text()).toBe('over');

    const expiredGet = await fixture.lateStore.presignGet('signed/dir/file name ✓.txt', { expiresIn: 60 });
    const refused = await fetch(expiredGet);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/expired/i);

    const expiredPut = await fixture.lateStore.presignPut('signed/late.txt', { expiresIn: 60 });
    expect((await fetch(expiredPut, { method: 'PUT', body: 'late' })).status).toBe(403);
    expect(await store.head('signed/late.txt')).toBeUndefined();

    const tampered = getUrl.replace('file%20name', 'file%20nam');
    expect((await fetch(tampered)).status).toBeGreaterThanOrEqual(400);
    await expect(store.presignGet('signed/x', { expiresIn: 0 })).rejects.toSatisfy((e) => isBlobStoreError(e, 'INVALID_ARGUMENT'));
  });

  it('accepts multipart parts through presigned URLs', async () => {
    const key = 'signed/mp.bin';
    const upload = await store.createMultipartUpload(key);
    const urls = [1, 2].map((n) => store.presignUploadPart(key, upload, n, { expiresIn: 300 }));
    const bodies = [Buffer.alloc(MIN_PART_SIZE, 7), Buffer.from('last part')];
    const parts = [];
    for (const [i, url] of (await Promise.all(urls)).entries()) {
      const res = await fetch(url, { method: 'PUT', body: bodies[i] });
      expect(res.status).toBe(200);
      parts.push({ partNumber: i + 1, etag: res.headers.get('etag') ?? '' });
    }
    const done = await store.completeMultipartUpload(key, upload, parts);
    expect(done.size).toBe(MIN_PART_SIZE + 9);
    const tail = await store.get(key, { range: { start: MIN_PART_SIZE } });
    expect((await readAll(tail.body)).toString()).toBe('last part');
  });

  it('streams a 200 MB multipart upload and download with bounded memory', async () => {
    const key = 'big/200mb.bin';
    const chunk = MiB;
    const partChunks = 50; // 50 MiB parts
    const hash = createHash('sha256');
    const memory = memoryWatch();
    const upload = await store.createMultipartUpload(key);
    const parts = [];
    for (let n = 1; n <= 4; n++) {
      const body = generated(partChunks, chunk, hash, () => memory.sample());
      const { etag } = await store.uploadPart(key, upload, n, body, { size: partChunks * chunk });
      parts.push({ partNumber: n, etag });
    }
    const uploadedHex = hash.digest('hex');
    const done = await store.completeMultipartUpload(key, upload, parts);
    expect(done.size).toBe(200 * MiB);

    const { body, contentLength } = await store.get(key);
    expect(contentLength).toBe(200 * MiB);
    const downloaded = await sha256Of(body, () => memory.sample());
    expect(downloaded).toEqual({ hex: uploadedHex, size: 200 * MiB });
    // Buffering the object anywhere would put 200 MiB into external memory.
    expect(memory.peakBytes).toBeLessThan(120 * MiB);
    await store.delete(key);
  }, 120_000);

  it('streams an unsized put larger than one part', async () => {
    const hash = createHash('sha256');
    const stored = await store.put('big/unsized.bin', generated(20, MiB, hash));
    expect(stored.size).toBe(20 * MiB);
    const { body } = await store.get('big/unsized.bin');
    expect((await sha256Of(body)).hex).toBe(hash.digest('hex'));
    await store.delete('big/unsized.bin');
  }, 60_000);
});
