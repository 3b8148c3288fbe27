/** Small helpers over a BlobStore: paged walks, counting, JSON objects. */
import type { BlobInfo, BlobStore } from '@hypha/storage';
import { isBlobStoreError } from '@hypha/storage';

/** Every object under `prefix`, page by page (never the whole listing in memory at once). */
export async function* walk(store: BlobStore, prefix: string): AsyncGenerator<BlobInfo> {
  let token: string | undefined;
  do {
    const page = await store.list(prefix, { continuationToken: token, maxKeys: 1000 });
    yield* page.objects;
    token = page.continuationToken;
  } while (token);
}

export async function countObjects(store: BlobStore, prefix: string): Promise<number> {
  let n = 0;
  for await (const _ of walk(store, prefix)) n++;
  return n;
}

export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** A stored JSON object, or null when the key is missing. */
export async function readJson(store: BlobStore, key: string): Promise<Record<string, unknown> | null> {
  try {
    const { body } = await store.get(key);
    return JSON.parse((await readAll(body)).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    if (isBlobStoreError(err, 'NOT_FOUND')) return null;
    throw err;
  }
}
