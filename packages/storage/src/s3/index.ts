/**
 * `@hypha/storage/s3`: the S3 {@link BlobStore}. A separate entry so that importing
 * `@hypha/storage` never loads the AWS SDK.
 */
export { createS3BlobStore, S3BlobStore } from './s3-blob-store.js';
export type { S3BlobStoreOptions } from './s3-blob-store.js';
