import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
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
import { BlobNotFoundError, BlobRangeError, BlobStoreError } from '../errors.js';
import { checkExpiresIn, checkKey, checkPartNumber, checkPrefix, checkSize } from '../keys.js';
import { checkListOptions } from '../list-options.js';
import { formatRangeHeader } from '../range.js';
import { collectPart, uploadInParts } from './s3-chunked-upload.js';
import { isS3NotFound, mapS3Error } from './s3-errors.js';

/** Options of {@link createS3BlobStore}. */
export interface S3BlobStoreOptions {
  /** Bucket holding the objects (`--workspace-bucket`). */
  bucket: string;
  /** Key prefix inside the bucket (no leading `/`); every key is stored under it. */
  prefix?: string;
  /** S3-compatible endpoint (`--endpoint-url`); AWS when omitted. */
  endpointUrl?: string;
  /** Endpoint that presigned URLs point at (`--endpoint-url-public`). @default endpointUrl */
  publicEndpointUrl?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** Path-style addressing. @default true when an endpoint is given */
  forcePathStyle?: boolean;
  /** Create the bucket when it does not exist. @default true */
  createBucket?: boolean;
  /** Part size for streamed `put` bodies; bounds the memory a put holds. @default 8 MiB */
  partSize?: number;
  /** Clock used as the signing time of presigned URLs, epoch ms. @default Date.now */
  now?: () => number;
}

/**
 * {@link BlobStore} on S3 or an S3-compatible server (MinIO, ...). Presigned URLs are real S3
 * presigned URLs on the public endpoint. Streamed puts become multipart uploads, so memory stays
 * at one part whatever the object size.
 */
export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  readonly #prefix: string;
  readonly #client: S3Client;
  readonly #presignClient: S3Client;
  readonly #partSize: number;
  readonly #now: () => number;
  readonly #createBucket: boolean;
  #closed = false;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    const prefix = options.prefix ?? '';
    if (prefix !== '') checkPrefix(prefix);
    this.#prefix = prefix === '' || prefix.endsWith('/') ? prefix : prefix + '/';
    this.#partSize = options.partSize ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(this.#partSize) || this.#partSize < 5 * 1024 * 1024) {
      throw new BlobStoreError('INVALID_ARGUMENT', `partSize ${options.partSize} is below S3's 5 MiB minimum`);
    }
    this.#now = options.now ?? Date.now;
    this.#createBucket = options.createBucket ?? true;
    const client = (endpoint: string | undefined) =>
      new S3Client({
        endpoint,
        region: options.region ?? 'us-east-1',
        forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
        credentials:
          options.accessKeyId === undefined
            ? undefined
            : { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey ?? '' },
        // S3-compatible servers do not all understand the SDK's default CRC32 trailers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    this.#client = client(options.endpointUrl);
    this.#presignClient =
      options.publicEndpointUrl === undefined || options.publicEndpointUrl === options.endpointUrl
        ? this.#client
        : client(options.publicEndpointUrl);
  }

  /** The AWS SDK client for regular requests (for instrumentation middleware). */
  get client(): S3Client {
    return this.#client;
  }

  /** Checks the bucket is reachable, creating it if allowed; called by {@link createS3BlobStore}. */
  async init(options: OperationOptions = {}): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: options.signal });
      return;
    } catch (error) {
      if (!isS3NotFound(error) || !this.#createBucket) {
        throw new BlobStoreError('NOT_FOUND', `S3 bucket "${this.bucket}" is not accessible: ${(error as Error).message}`, { cause: error });
      }
    }
    await this.#client.send(new CreateBucketCommand({ Bucket: this.bucket }), { abortSignal: options.signal });
  }

  async put(key: string, body: BlobBody, options: PutOptions = {}): Promise<StoredBlob> {
    checkKey(key);
    const expected = checkSize(options.size);
    const Key = this.#key(key);
    const opts = { abortSignal: options.signal };
    if (body instanceof Uint8Array) {
      if (expected !== undefined && expected !== body.byteLength) {
        throw new BlobStoreError('SIZE_MISMATCH', `body has ${body.byteLength} bytes, the declared size is ${expected}`);
      }
      const out = await this.#client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.byteLength }), opts);
      return { key, size: body.byteLength, etag: out.ETag ?? '' };
    }
    let size = 0;
    const chunks = countedChunks(chunksOf(body), expected, (n) => (size = n));
    const etag = await uploadInParts(this.#client, { Bucket: this.bucket, Key }, chunks, this.#partSize, options.signal);
    return { key, size, etag };
  }

  async get(key: string, options: GetOptions = {}): Promise<BlobReadResult> {
    checkKey(key);
    let out;
    try {
      out = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.#key(key),
          Range: options.range === undefined ? undefined : formatRangeHeader(options.range),
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidRange') {
        const info = await this.head(key, options);
        if (info === undefined) throw new BlobNotFoundError(key, { cause: error });
        throw new BlobRangeError(`range is outside "${key}" (${info.size} bytes)`, info.size, { cause: error });
      }
      throw mapS3Error(error, { key });
    }
    const contentLength = out.ContentLength ?? 0;
    let size = contentLength;
    let range: { start: number; end: number } | undefined;
    const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.ContentRange ?? '');
    if (options.range !== undefined && match) {
      range = { start: Number(match[1]), end: Number(match[2]) };
      size = Number(match[3]);
    }
    const info: BlobInfo = { key, size, etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0) };
    return { body: out.Body as Readable, info, contentLength, range };
  }

  async head(key: string, options: OperationOptions = {}): Promise<BlobInfo | undefined> {
    checkKey(key);
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }), { abortSignal: options.signal });
      return { key, size: out.ContentLength ?? 0, etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string, options: OperationOptions = {}): Promise<void> {
    checkKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }), { abortSignal: options.signal });
  }

  async deletePrefix(prefix: string, options: OperationOptions = {}): Promise<number> {
    checkPrefix(prefix);
    if (prefix === '') throw new BlobStoreError('INVALID_ARGUMENT', 'deletePrefix("") would delete the whole store; refused');
    let count = 0;
    // Always list from the start: the previous page is deleted by then.
    for (;;) {
      const page = await this.list(prefix, { maxKeys: 1000, signal: options.signal });
      if (page.objects.length === 0) return count;
      const out = await this.#client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: page.objects.map((o) => ({ Key: this.#key(o.key) })), Quiet: true },
        }),
        { abortSignal: options.signal },
      );
      if (out.Errors !== undefined && out.Errors.length > 0) {
        const first = out.Errors[0];
        throw new BlobStoreError('INVALID_ARGUMENT', `S3 could not delete ${out.Errors.length} objects, first ${first.Key}: ${first.Code} ${first.Message}`);
      }
      count += page.objects.length;
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    checkPrefix(prefix);
    const { maxKeys, delimiter } = checkListOptions(options);
    const out = await this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: this.#prefix + prefix,
        Delimiter: delimiter,
        MaxKeys: maxKeys,
        ContinuationToken: options.continuationToken,
      }),
      { abortSignal: options.signal },
    );
    const strip = (k: string) => k.slice(this.#prefix.length);
    const result: ListResult = {
      objects: (out.Contents ?? []).map((o) => ({
        key: strip(o.Key ?? ''),
        size: o.Size ?? 0,
        etag: o.ETag ?? '',
        lastModified: o.LastModified ?? new Date(0),
      })),
      prefixes: (out.CommonPrefixes ?? []).map((p) => strip(p.Prefix ?? '')),
    };
    if (out.IsTruncated && out.NextContinuationToken !== undefined) result.continuationToken = out.NextContinuationToken;
    return result;
  }

  async copy(sourceKey: string, targetKey: string, options: OperationOptions = {}): Promise<StoredBlob> {
    checkKey(sourceKey);
    checkKey(targetKey);
    try {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.#key(targetKey),
          CopySource: `${this.bucket}/${this.#key(sourceKey).split('/').map(encodeURIComponent).join('/')}`,
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      throw mapS3Error(error, { key: sourceKey });
    }
    const info = await this.head(targetKey, options);
    if (info === undefined) throw new BlobNotFoundError(targetKey);
    return { key: targetKey, size: info.size, etag: info.etag };
  }

  async createMultipartUpload(key: string, options: OperationOptions = {}): Promise<string> {
    checkKey(key);
    const out = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.#key(key) }), {
      abortSignal: options.signal,
    });
    if (out.UploadId === undefined) throw new BlobStoreError('MULTIPART', `S3 returned no upload id for "${key}"`);
    return out.UploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: BlobBody, options: PutOptions = {}): Promise<{ etag: string }> {
    checkKey(key);
    checkPartNumber(partNumber);
    const expected = checkSize(options.size);
    let payload: Uint8Array | Readable;
    let length: number;
    if (body instanceof Uint8Array) {
      payload = body;
      length = body.byteLength;
      if (expected !== undefined && expected !== length) {
        throw new BlobStoreError('SIZE_MISMATCH', `part has ${length} bytes, the declared size is ${expected}`);
      }
    } else if (expected !== undefined) {
      payload = Readable.from(countedChunks(chunksOf(body), expected, () => {}));
      length = expected;
    } else {
      // S3 needs each part's length up front: without `size`, this one part is gathered in memory.
      payload = await collectPart(chunksOf(body));
      length = payload.byteLength;
    }
    try {
      const out = await this.#client.send(
        new UploadPartCommand({ Bucket: this.bucket, Key: this.#key(key), UploadId: uploadId, PartNumber: partNumber, Body: payload, ContentLength: length }),
        { abortSignal: options.signal },
      );
      return { etag: out.ETag ?? '' };
    } catch (error) {
      throw mapS3Error(error, { key, uploadId });
    }
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[], options: OperationOptions = {}): Promise<StoredBlob> {
    checkKey(key);
    if (parts.length === 0) throw new BlobStoreError('MULTIPART', 'completing a multipart upload needs at least one part');
    parts.forEach((p) => checkPartNumber(p.partNumber));
    for (let i = 1; i < parts.length; i++) {
      if (parts[i].partNumber <= parts[i - 1].partNumber) {
        throw new BlobStoreError('MULTIPART', `parts must be listed in ascending part number order; ${parts[i].partNumber} follows ${parts[i - 1].partNumber}`);
      }
    }
    try {
      await this.#client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.#key(key),
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      throw mapS3Error(error, { key, uploadId });
    }
    const info = await this.head(key, options);
    if (info === undefined) throw new BlobNotFoundError(key);
    return { key, size: info.size, etag: info.etag };
  }

  async abortMultipartUpload(key: string, uploadId: string, options: OperationOptions = {}): Promise<void> {
    checkKey(key);
    try {
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.#key(key), UploadId: uploadId }), {
        abortSignal: options.signal,
      });
    } catch (error) {
      throw mapS3Error(error, { key, uploadId });
    }
  }

  async presignGet(key: string, options: PresignOptions): Promise<string> {
    checkKey(key);
    return getSignedUrl(this.#presignClient, new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }), this.#signing(options));
  }

  async presignPut(key: string, options: PresignOptions): Promise<string> {
    checkKey(key);
    return getSignedUrl(this.#presignClient, new PutObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }), this.#signing(options));
  }

  async presignUploadPart(key: string, uploadId: string, partNumber: number, options: PresignOptions): Promise<string> {
    checkKey(key);
    checkPartNumber(partNumber);
    return getSignedUrl(
      this.#presignClient,
      new UploadPartCommand({ Bucket: this.bucket, Key: this.#key(key), UploadId: uploadId, PartNumber: partNumber }),
      this.#signing(options),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.destroy();
    if (this.#presignClient !== this.#client) this.#presignClient.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #key(key: string): string {
    return this.#prefix + key;
  }

  #signing(options: PresignOptions): { expiresIn: number; signingDate: Date } {
    return { expiresIn: checkExpiresIn(options.expiresIn), signingDate: new Date(this.#now()) };
  }
}

/**
 * Creates an S3 blob store and makes sure its bucket exists.
 *
 * @example
 * const store = await createS3BlobStore({
 *   endpointUrl: 'http://127.0.0.1:9000', accessKeyId, secretAccessKey, bucket: 'hypha-workspaces',
 * });
 */
export async function createS3BlobStore(options: S3BlobStoreOptions): Promise<S3BlobStore> {
  const store = new S3BlobStore(options);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
