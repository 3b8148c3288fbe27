import { BlobRangeError, BlobStoreError } from './errors.js';
import type { ByteRange } from './blob-store.js';

/**
 * Resolves a range against an object size into inclusive offsets.
 * @throws BlobRangeError when no byte of the object is in the range.
 */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  if ('suffix' in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix <= 0) {
      throw new BlobStoreError('INVALID_ARGUMENT', `range suffix ${range.suffix} is not a positive integer`);
    }
    if (size === 0) throw new BlobRangeError('range of an empty object', size);
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new BlobStoreError('INVALID_ARGUMENT', `range ${start}-${end ?? ''} is not a valid byte range`);
  }
  if (start >= size) throw new BlobRangeError(`range starts at byte ${start}, the object has ${size} bytes`, size);
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

/** The `Range` header value for a range (`bytes=0-99`, `bytes=-100`). */
export function formatRangeHeader(range: ByteRange): string {
  return 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end ?? ''}`;
}

/**
 * Parses an HTTP `Range` header with a single byte range; `undefined` for no header.
 * @throws BlobStoreError `INVALID_ARGUMENT` for anything else (several ranges, other units).
 */
export function parseRangeHeader(header: string | undefined): ByteRange | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) {
    throw new BlobStoreError('INVALID_ARGUMENT', `unsupported Range header "${header}"; expected one bytes=start-end range`);
  }
  if (match[1] === '') return { suffix: Number(match[2]) };
  return match[2] === '' ? { start: Number(match[1]) } : { start: Number(match[1]), end: Number(match[2]) };
}
