/** Codes of {@link BlobStoreError}. */
export type BlobStoreErrorCode =
  | 'INVALID_KEY'
  | 'NOT_FOUND'
  | 'INVALID_RANGE'
  | 'SIZE_MISMATCH'
  | 'CONFLICT'
  | 'MULTIPART'
  | 'INVALID_ARGUMENT'
  | 'SIGNED_URL_INVALID'
  | 'SIGNED_URL_EXPIRED';

/** Base class of every error `@hypha/storage` throws itself; backend errors travel as `cause`. */
export class BlobStoreError extends Error {
  readonly code: BlobStoreErrorCode;
  constructor(code: BlobStoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BlobStoreError';
    this.code = code;
  }
}

/** A key or prefix that is not a safe relative path. */
export class InvalidBlobKeyError extends BlobStoreError {
  constructor(message: string) {
    super('INVALID_KEY', message);
    this.name = 'InvalidBlobKeyError';
  }
}

/** No object under the key. */
export class BlobNotFoundError extends BlobStoreError {
  readonly key: string;
  constructor(key: string, options?: ErrorOptions) {
    super('NOT_FOUND', `no object under key "${key}"`, options);
    this.name = 'BlobNotFoundError';
    this.key = key;
  }
}

/** A byte range outside the object (HTTP 416). */
export class BlobRangeError extends BlobStoreError {
  /** Size of the object, for a `Content-Range: bytes *\/size` answer. */
  readonly size: number;
  constructor(message: string, size: number, options?: ErrorOptions) {
    super('INVALID_RANGE', message, options);
    this.name = 'BlobRangeError';
    this.size = size;
  }
}

/** A multipart upload that does not exist or whose parts are wrong. */
export class MultipartUploadError extends BlobStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super('MULTIPART', message, options);
    this.name = 'MultipartUploadError';
  }
}

/** A signed URL that is malformed, tampered with, or expired. */
export class SignedUrlError extends BlobStoreError {
  constructor(code: 'SIGNED_URL_INVALID' | 'SIGNED_URL_EXPIRED', message: string) {
    super(code, message);
    this.name = 'SignedUrlError';
  }
}

/** True when `error` is a {@link BlobStoreError}, optionally with the given code. */
export function isBlobStoreError(error: unknown, code?: BlobStoreErrorCode): error is BlobStoreError {
  return error instanceof BlobStoreError && (code === undefined || error.code === code);
}
