import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BlobStoreError } from '../errors.js';

/** Gathers a whole stream into one buffer. Only for a single multipart part of unknown length. */
export async function collectPart(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Re-chunks a stream into blocks of exactly `size` bytes (the last may be shorter). */
async function* blocks(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
    while (pendingBytes >= size) {
      const joined = Buffer.concat(pending, pendingBytes);
      yield joined.subarray(0, size);
      const rest = joined.subarray(size);
      pending = rest.byteLength > 0 ? [rest] : [];
      pendingBytes = rest.byteLength;
    }
  }
  if (pendingBytes > 0 || pending.length === 0) yield Buffer.concat(pending, pendingBytes);
}

/**
 * Uploads a stream of unknown length with bounded memory: one PutObject when it fits in one
 * part, otherwise a multipart upload (aborted on failure). Returns the ETag.
 */
export async function uploadInParts(
  client: S3Client,
  target: { Bucket: string; Key: string },
  chunks: AsyncIterable<Uint8Array>,
  partSize: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  const iterator = blocks(chunks, partSize)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const firstBlock = first.value as Uint8Array;
  let next = await iterator.next();
  const opts = { abortSignal: signal };
  if (next.done) {
    const out = await client.send(new PutObjectCommand({ ...target, Body: firstBlock, ContentLength: firstBlock.byteLength }), opts);
    return out.ETag ?? '';
  }
  const created = await client.send(new CreateMultipartUploadCommand(target), opts);
  const UploadId = created.UploadId;
  if (UploadId === undefined) throw new BlobStoreError('MULTIPART', `S3 returned no upload id for "${target.Key}"`);
  try {
    const parts: { PartNumber: number; ETag: string }[] = [];
    let block: Uint8Array | undefined = firstBlock;
    while (block !== undefined) {
      const PartNumber = parts.length + 1;
      const out = await client.send(
        new UploadPartCommand({ ...target, UploadId, PartNumber, Body: block, ContentLength: block.byteLength }),
        opts,
      );
      parts.push({ PartNumber, ETag: out.ETag ?? '' });
      block = next.done ? undefined : (next.value as Uint8Array);
      if (!next.done) next = await iterator.next();
    }
    const done = await client.send(new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: parts } }), opts);
    return done.ETag ?? '';
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ ...target, UploadId })).catch((abortError: unknown) => {
      throw new AggregateError([error, abortError], `upload of "${target.Key}" failed and its multipart upload could not be aborted`);
    });
    throw error;
  }
}
