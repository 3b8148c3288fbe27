import type { ListOptions } from './blob-store.js';
import { BlobStoreError } from './errors.js';

/** Validates list options. Only `/` is supported as a delimiter, by every store. */
export function checkListOptions(options: ListOptions): { maxKeys: number; delimiter: '/' | undefined } {
  const maxKeys = options.maxKeys ?? 1000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) {
    throw new BlobStoreError('INVALID_ARGUMENT', `maxKeys ${maxKeys} is outside 1..1000`);
  }
  if (options.delimiter !== undefined && options.delimiter !== '/') {
    throw new BlobStoreError('INVALID_ARGUMENT', `delimiter ${JSON.stringify(options.delimiter)} is not supported; use "/"`);
  }
  return { maxKeys, delimiter: options.delimiter };
}
