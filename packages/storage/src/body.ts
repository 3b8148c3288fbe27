import { BlobStoreError } from './errors.js';
import type { BlobBody } from './blob-store.js';

/** Iterates any {@link BlobBody} as byte chunks, without copying. */
export async function* chunksOf(body: BlobBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function' && !(Symbol.asyncIterator in body)) {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    if (typeof chunk === 'string') {
      throw new BlobStoreError('INVALID_ARGUMENT', 'blob body yielded a string; streams must yield Uint8Array chunks');
    }
    yield chunk;
  }
}

/** Passes chunks through, checking the total against `expected` when given. */
export async function* countedChunks(
  chunks: AsyncIterable<Uint8Array>,
  expected: number | undefined,
  onByteCount: (count: number) => void,
): AsyncGenerator<Uint8Array> {
  let count = 0;
  for await (const chunk of chunks) {
    count += chunk.byteLength;
    if (expected !== undefined && count > expected) {
      throw new BlobStoreError('SIZE_MISMATCH', `body is longer than the declared size of ${expected} bytes`);
    }
    yield chunk;
  }
  if (expected !== undefined && count !== expected) {
    throw new BlobStoreError('SIZE_MISMATCH', `body has ${count} bytes, the declared size is ${expected}`);
  }
  onByteCount(count);
}
