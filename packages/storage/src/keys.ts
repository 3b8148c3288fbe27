import { BlobStoreError, InvalidBlobKeyError } from './errors.js';
import { MAX_PART_NUMBER, MAX_PRESIGN_EXPIRES_IN } from './blob-store.js';

const MAX_KEY_BYTES = 1024;
 
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks that `key` is a safe relative object key.
 * @throws InvalidBlobKeyError naming the problem.
 */
export function checkKey(key: string): string {
  checkPath(key, 'key');
  if (key === '') throw new InvalidBlobKeyError('object key is empty');
  if (key.endsWith('/')) throw new InvalidBlobKeyError(`object key "${key}" ends with "/"`);
  return key;
}

/**
 * Checks a listing or deletion prefix: like a key, but may be empty or end with `/`.
 * @throws InvalidBlobKeyError
 */
export function checkPrefix(prefix: string): string {
  checkPath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, 'prefix');
  return prefix;
}

function checkPath(path: string, what: 'key' | 'prefix'): void {
  if (typeof path !== 'string') throw new InvalidBlobKeyError(`object ${what} must be a string, got ${typeof path}`);
  const shown = JSON.stringify(path);
  if (path.includes('\0')) throw new InvalidBlobKeyError(`object ${what} ${shown} contains a NUL character`);
  if (CONTROL.test(path)) throw new InvalidBlobKeyError(`object ${what} ${shown} contains a control character`);
  if (path.startsWith('/')) throw new InvalidBlobKeyError(`object ${what} ${shown} is absolute; keys are relative paths`);
  if (path.includes('\\')) throw new InvalidBlobKeyError(`object ${what} ${shown} contains a backslash`);
  if (Buffer.byteLength(path) > MAX_KEY_BYTES) {
    throw new InvalidBlobKeyError(`object ${what} is longer than ${MAX_KEY_BYTES} bytes`);
  }
  if (path === '') return;
  for (const segment of path.split('/')) {
    if (segment === '..') throw new InvalidBlobKeyError(`object ${what} ${shown} contains a ".." segment`);
    if (segment === '.') throw new InvalidBlobKeyError(`object ${what} ${shown} contains a "." segment`);
    if (segment === '') throw new InvalidBlobKeyError(`object ${what} ${shown} contains an empty segment`);
  }
}

/** @throws BlobStoreError `INVALID_ARGUMENT` unless 1 <= partNumber <= 10000. */
export function checkPartNumber(partNumber: number): number {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new BlobStoreError('INVALID_ARGUMENT', `part number ${partNumber} is outside 1..${MAX_PART_NUMBER}`);
  }
  return partNumber;
}

/** @throws BlobStoreError `INVALID_ARGUMENT` unless the lifetime is a whole number of seconds in range. */
export function checkExpiresIn(expiresIn: number): number {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_EXPIRES_IN) {
    throw new BlobStoreError('INVALID_ARGUMENT', `expiresIn ${expiresIn} is outside 1..${MAX_PRESIGN_EXPIRES_IN} seconds`);
  }
  return expiresIn;
}

/** @throws BlobStoreError `INVALID_ARGUMENT` for a size that is not a non-negative integer. */
export function checkSize(size: number | undefined): number | undefined {
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
    throw new BlobStoreError('INVALID_ARGUMENT', `size ${size} is not a non-negative integer`);
  }
  return size;
}
