import S3rver from '@20minutes/s3rver';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsBlobRequestHandler, createFsBlobStore, type BlobStore, type NodeRequestHandler } from '../src/index.js';
import { S3BlobStore, type S3BlobStoreOptions } from '../src/s3/index.js';

/** A store under test, plus a twin whose clock is an hour behind (its presigned URLs are expired). */
export interface StoreFixture {
  store: BlobStore;
  /** Same backing storage and secrets, clock one hour late. */
  lateStore: BlobStore;
  close(): Promise<void>;
  /**
   * Features the test server lacks, so tests avoid them there (product code does not care):
   * s3rver 4.x reads `Range: bytes=-N` as `bytes=0-N`, and its continuation tokens use DES,
   * which OpenSSL 3 (Node 20) refuses, so paged listings fail with InternalError.
   */
  serverLacks: { suffixRanges: boolean; pagedListing: boolean };
}

const HOUR = 3_600_000;
const SECRET = randomBytes(32).toString('hex');

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}

/** Filesystem store in a temp dir, its signed URLs served by a real HTTP server on port 0. */
export async function fsFixture(): Promise<StoreFixture> {
  const root = await mkdtemp(join(tmpdir(), 'hypha-fs-store-'));
  // The store needs the server's port for its URLs, and the server needs the store's handler.
  const route: { handler?: NodeRequestHandler } = {};
  const server = createServer((req, res) => void route.handler?.(req, res));
  const port = await listen(server);
  const baseUrl = `http://127.0.0.1:${port}/blobs`;
  const store = await createFsBlobStore({ root, signing: { secret: SECRET, baseUrl } });
  const lateStore = await createFsBlobStore({ root, signing: { secret: SECRET, baseUrl, now: () => Date.now() - HOUR } });
  route.handler = createFsBlobRequestHandler(store);
  return {
    store,
    lateStore,
    serverLacks: { suffixRanges: false, pagedListing: false },
    async close() {
      await closeServer(server);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** S3 store against a real s3rver on 127.0.0.1 port 0 with a temp dir. */
export async function s3Fixture(): Promise<StoreFixture> {
  const directory = await mkdtemp(join(tmpdir(), 'hypha-s3rver-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const { port } = await s3rver.run();
  const options = {
    endpointUrl: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    bucket: 'hypha-test',
    prefix: 'instance-a',
  };
  const store = await s3rverStore(options);
  const lateStore = await s3rverStore({ ...options, now: () => Date.now() - HOUR });
  return {
    store,
    lateStore,
    serverLacks: { suffixRanges: true, pagedListing: true },
    async close() {
      await store.close();
      await lateStore.close();
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * An S3 store whose bucket-level requests address `/bucket` rather than `/bucket/`: s3rver 4.x
 * computes its signature check on the path without the trailing slash that current AWS SDKs
 * send, and rejects them. Real S3 and MinIO accept both forms, so this correction stays here.
 */
async function s3rverStore(options: S3BlobStoreOptions): Promise<S3BlobStore> {
  const store = new S3BlobStore(options);
  store.client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (typeof request.path === 'string' && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build', name: 's3rverBucketPath' },
  );
  await store.init();
  return store;
}

/** Reads a stream to a Buffer (small objects only). */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** sha256 of a stream, without holding it. */
export async function sha256Of(body: AsyncIterable<Uint8Array>, onChunk?: () => void): Promise<{ hex: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.byteLength;
    onChunk?.();
  }
  return { hex: hash.digest('hex'), size };
}

/**
 * Generates `count` chunks of `chunkSize` pseudo-random bytes (each chunk distinct), feeding
 * them into `hash` as it goes.
 */
export async function* generated(count: number, chunkSize: number, hash: ReturnType<typeof createHash>, onChunk?: () => void) {
  const base = randomBytes(chunkSize);
  for (let i = 0; i < count; i++) {
    const chunk = Buffer.from(base);
    chunk.writeUInt32BE(i, 0);
    chunk.writeUInt32BE(i * 2654435761 >>> 0, chunkSize - 4);
    hash.update(chunk);
    onChunk?.();
    yield chunk;
  }
}

/** Tracks the peak of external (Buffer) memory above the level at creation. */
export function memoryWatch() {
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = 0;
  return {
    sample() {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    },
    get peakBytes() {
      return peak;
    },
  };
}
