/**
 * Receiver side of chunked messages (spec §6.2): the `message_cache` functions of the
 * `built-in` service. Buffers are kept per sender, so one peer cannot touch another's upload.
 */
import type { RpcInternals } from '../rpc-internals.js';
import type { CallContext } from '../rpc-types.js';
import { decodeFrame, FrameError, mergeSegment2 } from '../codec/frame.js';
import { RpcError } from '../errors.js';

const MAX_ENTRIES = 256;
const MAX_AGE_MS = 5 * 60 * 1000;

interface CacheEntry {
  chunks: Uint8Array[];
  createdAt: number;
}

/** The `message_cache` service functions (each takes the call context last). */
export interface MessageCacheApi {
  create(key: string, heartbeat: boolean, overwrite: boolean, context: CallContext): void;
  append(key: string, data: Uint8Array, heartbeat: boolean, context: CallContext): void;
  set(key: string, index: number, data: Uint8Array, heartbeat: boolean, context: CallContext): void;
  process(key: string, heartbeat: boolean, context: CallContext): void;
  remove(key: string, context: CallContext): void;
}

/** Creates the receiver; `rpc.dispatch` handles each reassembled message. */
export function createMessageCache(rpc: RpcInternals): MessageCacheApi {
  const entries = new Map<string, CacheEntry>();
  const entryKey = (key: unknown, context: CallContext | undefined): string => {
    if (typeof key !== 'string' || !key) throw new RpcError('CHUNK_ERROR', `Invalid message key: ${String(key)}`);
    if (!context || typeof context.from !== 'string') throw new RpcError('CHUNK_ERROR', 'Context is required');
    return `${context.from}|${key}`;
  };
  const touchSession = (key: string, heartbeat: boolean): void => {
    if (!heartbeat) return;
    const session = rpc.store.getSession(key, false);
    if (!session) throw new RpcError('SESSION_NOT_FOUND', `session does not exist anymore: ${key}`);
    session.timer?.reset();
  };
  const getEntry = (key: string, context: CallContext): CacheEntry => {
    const entry = entries.get(entryKey(key, context));
    if (!entry) throw new RpcError('CHUNK_ERROR', `Message with key ${key} does not exists.`);
    return entry;
  };
  const checkData = (key: string, data: unknown): Uint8Array => {
    if (!(data instanceof Uint8Array)) {
      throw new RpcError('CHUNK_ERROR', `Chunk data for message ${key} must be binary, got ${typeof data}`);
    }
    return data;
  };
  const evict = (): void => {
    if (entries.size < MAX_ENTRIES) return;
    const now = Date.now();
    for (const [k, e] of entries) if (now - e.createdAt > MAX_AGE_MS) entries.delete(k);
    // Still full: drop the oldest (Map iteration order is insertion order).
    for (const k of entries.keys()) {
      if (entries.size < MAX_ENTRIES) break;
      rpc.logger.warn(`Message cache full; dropping unfinished message ${k}`);
      entries.delete(k);
    }
  };

  return {
    create(key, heartbeat, overwrite, context) {
      touchSession(key, heartbeat);
      const k = entryKey(key, context);
      if (!overwrite && entries.has(k)) {
        throw new RpcError(
          'CHUNK_ERROR',
          `Message with the same key (${key}) already exists in the cache store, please use overwrite=true or remove it first.`,
        );
      }
      evict();
      entries.set(k, { chunks: [], createdAt: Date.now() });
    },
    append(key, data, heartbeat, context) {
      touchSession(key, heartbeat);
      getEntry(key, context).chunks.push(checkData(key, data));
    },
    set(key, index, data, heartbeat, context) {
      touchSession(key, heartbeat);
      const entry = getEntry(key, context);
      if (!Number.isInteger(index) || index < 0 || index > 1_000_000) {
        throw new RpcError('CHUNK_ERROR', `Invalid chunk index ${String(index)} for message ${key}`);
      }
      entry.chunks[index] = checkData(key, data);
    },
    process(key, heartbeat, context) {
      touchSession(key, heartbeat);
      const entry = getEntry(key, context);
      entries.delete(entryKey(key, context));
      const missing: number[] = [];
      let total = 0;
      for (let i = 0; i < entry.chunks.length; i++) {
        const c = entry.chunks[i];
        if (c === undefined) missing.push(i);
        else total += c.byteLength;
      }
      if (missing.length > 0 || entry.chunks.length === 0) {
        throw new RpcError(
          'CHUNK_ERROR',
          `Message ${key} is incomplete: ${entry.chunks.length === 0 ? 'no chunks received' : `missing chunk(s) ${missing.join(', ')}`}`,
        );
      }
      const frame = new Uint8Array(total);
      let offset = 0;
      for (const c of entry.chunks) {
        frame.set(c, offset);
        offset += c.byteLength;
      }
      let decoded;
      try {
        decoded = decodeFrame(frame);
      } catch (err) {
        const reason = err instanceof FrameError ? err.message : String(err);
        throw new RpcError('CHUNK_ERROR', `Failed to decode reassembled message ${key}: ${reason}`, { cause: err });
      }
      const main: Record<string, any> = decoded.main;
      // Routing fields come from the trusted context of the `process` call, never the payload.
      main.from = context.from;
      main.to = context.to;
      main.ws = context.ws;
      main.user = context.user;
      const { ctx: _ignored, ...header } = main;
      main.ctx = { ...header, ...rpc.defaultContext };
      if (decoded.extra) mergeSegment2(main, decoded.extra);
      rpc.dispatch(main);
    },
    remove(key, context) {
      const k = entryKey(key, context);
      if (!entries.delete(k)) throw new RpcError('CHUNK_ERROR', `Message with key ${key} does not exists.`);
    },
  };
}
