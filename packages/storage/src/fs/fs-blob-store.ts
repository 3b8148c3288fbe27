import { randomBytes } from 'node:crypto';
import { createWriteStream, type BigIntStats } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  BlobBody,
  BlobInfo,
  BlobReadResult,
  BlobStore,
  CompletedPart,
  GetOptions,
  ListOptions,
  ListResult,
  OperationOptions,
  PresignOptions,
  PutOptions,
  StoredBlob,
} from '../blob-store.js';
import { chunksOf, countedChunks } from '../body.js';
import { BlobNotFoundError, BlobStoreError } from '../errors.js';
import { checkKey, checkPartNumber, checkPrefix, checkSize } from '../keys.js';
import { checkListOptions } from '../list-options.js';
import { resolveRange } from '../range.js';
import { UrlSigner, type UrlSignerOptions } from '../url-signer.js';
import { walkKeys, statKey } from './fs-list.js';
import { FsMultipart } from './fs-multipart.js';
import { abortReasonOr, conflictError, etagOf, fsCode, isMissing, keyToPath, pruneEmptyDirs } from './fs-util.js';

/** Options of {@link createFsBlobStore}. */
export interface FsBlobStoreOptions {
  /** Directory that holds the store (`objects/`, `uploads/`, `tmp/` inside it). */
  root: string;
  /**
   * Secret and public base URL for signed URLs, served by {@link createFsBlobRequestHandler}.
   * Without it the presign methods throw.
   */
  signing?: UrlSignerOptions;
}

/**
 * The embedded {@link BlobStore}: objects are plain files under `<root>/objects/<key>`, written
 * to `<root>/tmp` first and renamed into place so readers never see partial files.
 * Presigned URLs are HMAC-signed URLs that this process serves itself.
 *
 * Limitation of a filesystem: an object `a` and an object `a/b` cannot both exist (S3 allows it);
 * the second write fails with a `CONFLICT` error.
 */
export class FsBlobStore implements BlobStore {
  readonly root: string;
  /** The signer behind the presigned URLs, if signing was configured. */
  readonly signer: UrlSigner | undefined;
  readonly #objects: string;
  readonly #tmp: string;
  readonly #multipart: FsMultipart;

  constructor(options: FsBlobStoreOptions) {
    this.root = options.root;
    this.#objects = join(options.root, 'objects');
    this.#tmp = join(options.root, 'tmp');
    this.#multipart = new FsMultipart(join(options.root, 'uploads'), (chunks, opts) => this.#writeTemp(chunks, opts));
    this.signer = options.signing === undefined ? undefined : new UrlSigner(options.signing);
  }

  /** Creates the directories; called by {@link createFsBlobStore}. */
  async init(): Promise<void> {
    await mkdir(this.#objects, { recursive: true });
    await mkdir(this.#tmp, { recursive: true });
    await this.#multipart.init();
  }

  async put(key: string, body: BlobBody, options: PutOptions = {}): Promise<StoredBlob> {
    checkKey(key);
    const temp = await this.#writeTemp(chunksOf(body), options);
    return this.#publish(key, temp);
  }

  async get(key: string, options: GetOptions = {}): Promise<BlobReadResult> {
    checkKey(key);
    options.signal?.throwIfAborted();
    let handle;
    try {
      handle = await open(this.#path(key), 'r');
    } catch (error) {
      if (isMissing(error) || fsCode(error) === 'EISDIR') throw new BlobNotFoundError(key, { cause: error });
      throw error;
    }
    try {
      const st = await handle.stat({ bigint: true });
      if (!st.isFile()) throw new BlobNotFoundError(key);
      const info = infoOf(key, st);
      const range = options.range === undefined ? undefined : resolveRange(options.range, info.size);
      const body = handle.createReadStream({ start: range?.start, end: range?.end, signal: options.signal });
      const contentLength = range === undefined ? info.size : range.end - range.start + 1;
      return { body, info, contentLength, range };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async head(key: string, options: OperationOptions = {}): Promise<BlobInfo | undefined> {
    checkKey(key);
    options.signal?.throwIfAborted();
    const st = await statKey(this.#objects, key);
    return st?.isFile() ? infoOf(key, st) : undefined;
  }

  async delete(key: string, options: OperationOptions = {}): Promise<void> {
    checkKey(key);
    options.signal?.throwIfAborted();
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (error) {
      if (isMissing(error) || fsCode(error) === 'EISDIR' || fsCode(error) === 'EPERM') return;
      throw error;
    }
    await pruneEmptyDirs(dirname(path), this.#objects);
  }

  async deletePrefix(prefix: string, options: OperationOptions = {}): Promise<number> {
    checkPrefix(prefix);
    if (prefix === '') throw new BlobStoreError('INVALID_ARGUMENT', 'deletePrefix("") would delete the whole store; refused');
    let count = 0;
    for await (const entry of walkKeys(this.#objects, prefix, { delimiter: false })) {
      options.signal?.throwIfAborted();
      await this.delete(entry.key);
      count++;
    }
    return count;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    checkPrefix(prefix);
    const { maxKeys, delimiter } = checkListOptions(options);
    const result: ListResult = { objects: [], prefixes: [] };
    let last: string | undefined;
    let taken = 0;
    for await (const entry of walkKeys(this.#objects, prefix, {
      delimiter: delimiter !== undefined,
      startAfter: options.continuationToken,
    })) {
      options.signal?.throwIfAborted();
      if (taken === maxKeys) {
        result.continuationToken = last;
        break;
      }
      if (entry.isPrefix) {
        result.prefixes.push(entry.key);
      } else {
        const st = await statKey(this.#objects, entry.key);
        if (st === undefined) continue; // deleted while listing
        result.objects.push(infoOf(entry.key, st));
      }
      last = entry.key;
      taken++;
    }
    return result;
  }

  async copy(sourceKey: string, targetKey: string, options: OperationOptions = {}): Promise<StoredBlob> {
    checkKey(sourceKey);
    checkKey(targetKey);
    options.signal?.throwIfAborted();
    const temp = this.#tempPath();
    try {
      await copyFile(this.#path(sourceKey), temp);
    } catch (error) {
      await rm(temp, { force: true });
      if (isMissing(error) || fsCode(error) === 'EISDIR') throw new BlobNotFoundError(sourceKey, { cause: error });
      throw error;
    }
    return this.#publish(targetKey, temp);
  }

  async createMultipartUpload(key: string, options: OperationOptions = {}): Promise<string> {
    checkKey(key);
    options.signal?.throwIfAborted();
    return this.#multipart.create(key);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: BlobBody, options: PutOptions = {}): Promise<{ etag: string }> {
    checkKey(key);
    checkPartNumber(partNumber);
    return this.#multipart.uploadPart(key, uploadId, partNumber, chunksOf(body), options);
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[], options: OperationOptions = {}): Promise<StoredBlob> {
    checkKey(key);
    const temp = await this.#multipart.assemble(key, uploadId, parts, this.#tempPath(), options.signal);
    const stored = await this.#publish(key, temp);
    await this.#multipart.remove(uploadId);
    return stored;
  }

  async abortMultipartUpload(key: string, uploadId: string, options: OperationOptions = {}): Promise<void> {
    checkKey(key);
    options.signal?.throwIfAborted();
    await this.#multipart.abort(key, uploadId);
  }

  async presignGet(key: string, options: PresignOptions): Promise<string> {
    return this.#requireSigner().sign({ op: 'get', key, expiresIn: options.expiresIn });
  }

  async presignPut(key: string, options: PresignOptions): Promise<string> {
    return this.#requireSigner().sign({ op: 'put', key, expiresIn: options.expiresIn });
  }

  async presignUploadPart(key: string, uploadId: string, partNumber: number, options: PresignOptions): Promise<string> {
    return this.#requireSigner().sign({ op: 'part', key, uploadId, partNumber, expiresIn: options.expiresIn });
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #path(key: string): string {
    return join(this.#objects, keyToPath(key));
  }

  #tempPath(): string {
    return join(this.#tmp, randomBytes(12).toString('hex'));
  }

  #requireSigner(): UrlSigner {
    if (this.signer === undefined) {
      throw new BlobStoreError('INVALID_ARGUMENT', 'presigned URLs need the "signing" option of the filesystem store');
    }
    return this.signer;
  }

  /** Streams chunks into a new temp file; removes it on any failure. */
  async #writeTemp(chunks: AsyncIterable<Uint8Array>, options: PutOptions): Promise<string> {
    const expected = checkSize(options.size);
    const temp = this.#tempPath();
    try {
      await pipeline(Readable.from(countedChunks(chunks, expected, () => {})), createWriteStream(temp, { flags: 'wx' }), {
        signal: options.signal,
      });
    } catch (error) {
      await rm(temp, { force: true });
      throw abortReasonOr(error, options.signal);
    }
    return temp;
  }

  /** Moves a finished temp file to the key. */
  async #publish(key: string, temp: string): Promise<StoredBlob> {
    const target = this.#path(key);
    try {
      const st = await stat(temp, { bigint: true });
      // A concurrent delete may prune the fresh folder before the rename: retry a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          await mkdir(dirname(target), { recursive: true });
          await rename(temp, target);
          break;
        } catch (error) {
          const code = fsCode(error);
          if (code === 'ENOENT' && attempt < 5) continue;
          if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENOTEMPTY') throw conflictError(key, error);
          throw error;
        }
      }
      return { key, size: Number(st.size), etag: etagOf(st) };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

function infoOf(key: string, st: BigIntStats): BlobInfo {
  return { key, size: Number(st.size), etag: etagOf(st), lastModified: new Date(Number(st.mtimeMs)) };
}

/**
 * Creates the embedded filesystem blob store (and its directories).
 *
 * @example
 * const store = await createFsBlobStore({
 *   root: './data/files',
 *   signing: { secret, baseUrl: 'http://127.0.0.1:9527/fs' },
 * });
 */
export async function createFsBlobStore(options: FsBlobStoreOptions): Promise<FsBlobStore> {
  const store = new FsBlobStore(options);
  await store.init();
  return store;
}

