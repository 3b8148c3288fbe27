import type { Readable } from 'node:stream';

/** Options every operation takes. */
export interface OperationOptions {
  /** Aborts the operation; it then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * What can be stored: bytes, or a stream of byte chunks (a Node `Readable`, any async iterable
 * of `Uint8Array`, or a web `ReadableStream`). Streams are consumed chunk by chunk, never
 * gathered into one buffer.
 */
export type BlobBody = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Metadata of a stored object. */
export interface BlobInfo {
  /** Key relative to the store. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** HTTP entity tag, quotes included (`"..."`); changes whenever the content changes. */
  etag: string;
  lastModified: Date;
}

/** Result of a write. */
export interface StoredBlob {
  key: string;
  size: number;
  etag: string;
}

/**
 * A byte range: `start` to `end` inclusive (`end` defaults to the last byte), or the last
 * `suffix` bytes. The same meaning as an HTTP `Range: bytes=` header.
 */
export type ByteRange = { start: number; end?: number } | { suffix: number };

/** An object being read. */
export interface BlobReadResult {
  /** The bytes. Consume it or call `destroy()`, or the underlying file or socket stays open. */
  body: Readable;
  /** Metadata of the whole object. */
  info: BlobInfo;
  /** Number of bytes `body` yields. */
  contentLength: number;
  /** The range served, resolved against the object size (inclusive); absent for a full read. */
  range?: { start: number; end: number };
}

/** Options of {@link BlobStore.put} and {@link BlobStore.uploadPart}. */
export interface PutOptions extends OperationOptions {
  /**
   * Expected byte count. When given, a body of any other length is rejected and nothing is
   * stored. Some backends also need it to stream a multipart part without buffering it.
   */
  size?: number;
}

/** Options of {@link BlobStore.get}. */
export interface GetOptions extends OperationOptions {
  range?: ByteRange;
}

/** Options of {@link BlobStore.list}. */
export interface ListOptions extends OperationOptions {
  /** Groups keys that contain it after the prefix into {@link ListResult.prefixes}; normally `/`. */
  delimiter?: string;
  /** Page size, 1 to 1000. @default 1000 */
  maxKeys?: number;
  /** Token from a previous page's {@link ListResult.continuationToken}. */
  continuationToken?: string;
}

/** One page of a listing, in ascending key order. */
export interface ListResult {
  objects: BlobInfo[];
  /** Common prefixes ("folders"), each ending with the delimiter. */
  prefixes: string[];
  /** Present when there are more results. */
  continuationToken?: string;
}

/** A part given to {@link BlobStore.completeMultipartUpload}. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** Options of the presign methods. */
export interface PresignOptions {
  /** Lifetime of the URL in seconds, 1 to 604800 (7 days). */
  expiresIn: number;
}

/** Smallest allowed size of a multipart part other than the last (S3's rule, kept by every store). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Highest multipart part number. */
export const MAX_PART_NUMBER = 10_000;
/** Longest presigned URL lifetime in seconds. */
export const MAX_PRESIGN_EXPIRES_IN = 604_800;

/**
 * Object storage for files: the embedded filesystem store or S3. Keys are `/`-separated
 * relative paths; `..`, `.`, empty segments, absolute paths and control characters are rejected
 * with `InvalidBlobKeyError`.
 */
export interface BlobStore extends AsyncDisposable {
  /** Stores an object, replacing any previous one under the key. Readers never see a partial object. */
  put(key: string, body: BlobBody, options?: PutOptions): Promise<StoredBlob>;
  /** Reads an object or a byte range of it. @throws BlobNotFoundError, BlobRangeError */
  get(key: string, options?: GetOptions): Promise<BlobReadResult>;
  /** Metadata of an object, or `undefined` when there is none. */
  head(key: string, options?: OperationOptions): Promise<BlobInfo | undefined>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string, options?: OperationOptions): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (`''` is refused). @returns how many. */
  deletePrefix(prefix: string, options?: OperationOptions): Promise<number>;
  /** One page of the objects whose key starts with `prefix`. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Copies an object inside the store. @throws BlobNotFoundError */
  copy(sourceKey: string, targetKey: string, options?: OperationOptions): Promise<StoredBlob>;
  /** Starts a multipart upload. @returns the upload id. */
  createMultipartUpload(key: string, options?: OperationOptions): Promise<string>;
  /** Uploads part `partNumber` (1..10000). @returns the part's etag for completion. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: BlobBody, options?: PutOptions): Promise<{ etag: string }>;
  /** Assembles the listed parts (ascending part numbers) into the object. @throws MultipartUploadError */
  completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[], options?: OperationOptions): Promise<StoredBlob>;
  /** Drops an unfinished upload and its parts. */
  abortMultipartUpload(key: string, uploadId: string, options?: OperationOptions): Promise<void>;
  /** A URL that serves `GET` (with `Range`) and `HEAD` of the object until it expires. */
  presignGet(key: string, options: PresignOptions): Promise<string>;
  /** A URL that accepts one `PUT` of the object's bytes until it expires; answers with an `ETag`. */
  presignPut(key: string, options: PresignOptions): Promise<string>;
  /** A URL that accepts `PUT` of one multipart part; the response's `ETag` goes to completion. */
  presignUploadPart(key: string, uploadId: string, partNumber: number, options: PresignOptions): Promise<string>;
  /** Releases clients and handles. Idempotent. */
  close(): Promise<void>;
}
