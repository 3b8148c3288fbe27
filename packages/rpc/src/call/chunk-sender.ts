/**
 * Sender side of chunked messages (spec §6.3): a frame larger than `chunk_size + 1024` bytes is
 * uploaded to the target's `built-in.message_cache` and then processed there as if received.
 */
import type { RpcInternals } from '../rpc-internals.js';
import { RpcError } from '../errors.js';
import { randId } from '../utils/rand-id.js';
import { Semaphore } from '../utils/semaphore.js';

/** Chunks uploaded concurrently (the reference's limit). */
export const CHUNK_CONCURRENCY = 30;

/**
 * Uploads `frame` in chunks. The key is the call's remote parent session when there is one,
 * so every chunk resets that pending call's timer at the receiver (`heartbeat = true`).
 */
export async function sendChunks(
  rpc: RpcInternals,
  frame: Uint8Array,
  targetId: string,
  remoteParent: string | null,
): Promise<void> {
  const builtin = await rpc.getRemoteService(`${targetId}:built-in`, { _no_retry: true });
  const cache = builtin?.message_cache;
  if (!cache || typeof cache.create !== 'function') {
    throw new RpcError('CHUNK_ERROR', `Remote client ${targetId} does not support message caching for large messages.`);
  }
  const key = remoteParent || randId();
  const heartbeat = !!remoteParent;
  const size = rpc.chunkSize;
  const count = Math.ceil(frame.byteLength / size);
  const chunk = (i: number): Uint8Array => frame.subarray(i * size, Math.min((i + 1) * size, frame.byteLength));
  await cache.create(key, heartbeat);
  if ((builtin.config?.api_version ?? 0) >= 3) {
    const semaphore = new Semaphore(CHUNK_CONCURRENCY);
    const uploads: Promise<void>[] = [];
    for (let i = 0; i < count; i++) uploads.push(semaphore.run(() => cache.set(key, i, chunk(i), heartbeat)));
    const results = await Promise.allSettled(uploads);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await cache.remove(key).catch((err: unknown) =>
        rpc.logger.error(`Failed to remove message ${key} from ${targetId} after a failed upload`, err),
      );
      throw failed.reason;
    }
  } else {
    for (let i = 0; i < count; i++) await cache.append(key, chunk(i), heartbeat);
  }
  await cache.process(key, heartbeat);
}
