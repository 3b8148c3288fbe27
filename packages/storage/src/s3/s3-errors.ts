import { BlobNotFoundError, BlobRangeError, MultipartUploadError } from '../errors.js';

/** Name and HTTP status of an AWS SDK error, if it is one. */
function describe(error: unknown): { name: string; status?: number } {
  if (typeof error !== 'object' || error === null) return { name: '' };
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.Code ?? e.name ?? '', status: e.$metadata?.httpStatusCode };
}

/** True when S3 answered "no such key" (GetObject/CopyObject) or 404 (HeadObject). */
export function isS3NotFound(error: unknown): boolean {
  const { name, status } = describe(error);
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

/** Maps the S3 errors that have a contract meaning; returns others unchanged. */
export function mapS3Error(error: unknown, context: { key: string; uploadId?: string }): unknown {
  const { name } = describe(error);
  if (name === 'NoSuchUpload') {
    return new MultipartUploadError(`no multipart upload ${context.uploadId ?? ''} for "${context.key}" (completed, aborted or never started)`, {
      cause: error,
    });
  }
  if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
    return new MultipartUploadError(`S3 rejected the parts of upload ${context.uploadId ?? ''}: ${(error as Error).message}`, { cause: error });
  }
  if (name === 'NoSuchKey' || name === 'NotFound') return new BlobNotFoundError(context.key, { cause: error });
  if (name === 'InvalidRange') return new BlobRangeError(`range outside "${context.key}"`, NaN, { cause: error });
  return error;
}
