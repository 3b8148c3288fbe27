/**
 * `@hypha/storage`: the {@link BlobStore} contract and the embedded filesystem store.
 * The S3 store is in `@hypha/storage/s3`.
 *
 * @example
 * import { createFsBlobStore, createFsBlobRequestHandler } from '@hypha/storage';
 * const store = await createFsBlobStore({ root: './data/files', signing: { secret, baseUrl } });
 * await store.put('ws/a.txt', new TextEncoder().encode('hi'));
 */
export type {
  BlobBody,
  BlobInfo,
  BlobReadResult,
  BlobStore,
  ByteRange,
  CompletedPart,
  GetOptions,
  ListOptions,
  ListResult,
  OperationOptions,
  PresignOptions,
  PutOptions,
  StoredBlob,
} from './blob-store.js';
export { MAX_PART_NUMBER, MAX_PRESIGN_EXPIRES_IN, MIN_PART_SIZE } from './blob-store.js';
export {
  BlobNotFoundError,
  BlobRangeError,
  BlobStoreError,
  InvalidBlobKeyError,
  isBlobStoreError,
  MultipartUploadError,
  SignedUrlError,
} from './errors.js';
export type { BlobStoreErrorCode } from './errors.js';
export { checkKey, checkPrefix } from './keys.js';
export { formatRangeHeader, parseRangeHeader, resolveRange } from './range.js';
export { encodeKeyPath, UrlSigner } from './url-signer.js';
export type { SignedUrlClaims, SignedUrlOperation, UrlSignerOptions } from './url-signer.js';
export { createFsBlobStore, FsBlobStore } from './fs/fs-blob-store.js';
export type { FsBlobStoreOptions } from './fs/fs-blob-store.js';
export { createFsBlobRequestHandler } from './fs/fs-request-handler.js';
export type { FsBlobRequestHandlerOptions, NodeRequestHandler } from './fs/fs-request-handler.js';
