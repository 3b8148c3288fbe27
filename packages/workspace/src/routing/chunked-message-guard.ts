/**
 * Guards chunked messages (issue #10 item 1, the `message_cache` path).
 *
 * A hypha-rpc client sends a message larger than its chunk size as calls to the receiver's
 * `built-in` service: `message_cache.create(key)`, then `append(key, data)` or
 * `set(key, index, data)` per chunk, then `process(key)`. The receiver joins the chunks, stamps
 * the header of the joined message from the `process` call's context, and then merges its second
 * value over it, so routing keys planted there would let a caller speak as any client. The router
 * cannot strip them (they are inside call arguments, split at arbitrary bytes), so it reads each
 * message's chunks in order as they pass ({@link ChunkScanner}) and refuses the chunk that carries
 * one, and a `process` for a message it has not seen whole.
 *
 * Each message belongs to the connection that created it: other connections cannot add to it,
 * process or remove it, and it cannot be created twice or overwritten while open. Chunks may
 * arrive out of order (clients send several at once); those ahead of the next expected one are
 * held by reference, up to {@link MAX_PENDING_BYTES} per message.
 */
import { ChunkScanner } from './chunk-scanner.js';

/** Bytes of out-of-order chunks held for one message. */
export const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Chunked messages one connection may have open at once. */
export const MAX_OPEN_PER_SENDER = 256;

const OPS = ['create', 'append', 'set', 'process', 'remove'] as const;
export type MessageCacheOp = (typeof OPS)[number];

/** Positional names of each operation's parameters, as both hypha-rpc clients declare them. */
const PARAMS: Record<MessageCacheOp, readonly string[]> = {
  create: ['key', 'heartbeat', 'overwrite'],
  append: ['key', 'data', 'heartbeat'],
  set: ['key', 'index', 'data', 'heartbeat'],
  process: ['key', 'heartbeat'],
  remove: ['key'],
};

/**
 * The `message_cache` operation a method path names (`services.built-in.message_cache.set`),
 * or null for any other method.
 */
export function messageCacheOp(method: string | undefined): MessageCacheOp | null {
  if (method === undefined || !method.includes('message_cache.')) return null;
  const parts = method.split('.');
  const op = parts[parts.length - 1] as MessageCacheOp;
  if (parts.length < 3 || parts[parts.length - 2] !== 'message_cache' || parts[parts.length - 3] !== 'built-in') return null;
  return OPS.includes(op) ? op : null;
}

interface OpenMessage {
  owner: string;
  scanner: ChunkScanner;
  /** Index of the next chunk the scanner needs. */
  next: number;
  /** The receiver's count of chunk slots (an `append` lands at this index). */
  length: number;
  pending: Map<number, Uint8Array>;
  pendingBytes: number;
  problem: string | null;
}

export class ChunkedMessageGuard {
  private readonly open = new Map<string, OpenMessage>();
  private readonly openBySender = new Map<string, Set<string>>();

  /** Chunked messages currently open (diagnostics and tests). */
  get size(): number {
    return this.open.size;
  }

  /**
   * Checks one `message_cache` call from `sender` to `target` and updates what is known of the
   * message; returns why the call must not be delivered, or null. `extra` is segment 2 of the
   * call frame (its `args` and `with_kwargs`).
   */
  check(sender: string, target: string, op: MessageCacheOp, extra: Record<string, unknown> | undefined): string | null {
    if (extra !== undefined && '_enc' in extra) return `message_cache.${op} calls cannot be end-to-end encrypted through this server (the router must read their arguments)`;
    const args = namedArgs(op, extra);
    if (typeof args.key !== 'string' || args.key === '') return `message_cache.${op} needs a message key (a non-empty string)`;
    const id = `${target}\n${args.key}`;
    const message = this.open.get(id);
    if (op === 'create') {
      if (args.overwrite) return 'message_cache.create with overwrite is refused: an open chunked message cannot be replaced';
      if (message !== undefined) return `chunked message ${args.key} is already open`;
      const mine = this.openBySender.get(sender);
      if (mine !== undefined && mine.size >= MAX_OPEN_PER_SENDER) return `too many chunked messages open (at most ${MAX_OPEN_PER_SENDER} per connection)`;
      this.add(sender, id);
      return null;
    }
    if (message === undefined) {
      // Nothing to guard for a remove; the receiver answers that the key does not exist.
      return op === 'remove' ? null : `chunked message ${args.key} was not created by this connection`;
    }
    if (message.owner !== sender) return `chunked message ${args.key} belongs to another connection`;
    if (op === 'remove') {
      this.delete(id);
      return null;
    }
    if (message.problem !== null) return message.problem;
    if (op === 'process') {
      if (message.pending.size > 0 || message.next < message.length) {
        message.problem = `chunked message ${args.key} is incomplete: chunk ${message.next} never arrived`;
        return message.problem;
      }
      this.delete(id);
      return null;
    }
    const data = args.data;
    if (!(data instanceof Uint8Array)) return `message_cache.${op} data must be bytes`;
    let index: number;
    if (op === 'append') {
      index = message.length;
    } else {
      if (typeof args.index !== 'number' || !Number.isInteger(args.index) || args.index < 0) return 'message_cache.set needs a non-negative integer index';
      index = args.index;
      if (index < message.next || message.pending.has(index)) return `chunk ${index} of chunked message ${args.key} was already sent`;
    }
    message.length = Math.max(message.length, index + 1);
    if (index > message.next) {
      if (message.pendingBytes + data.byteLength > MAX_PENDING_BYTES) {
        message.problem = `chunked message ${args.key}: more than ${MAX_PENDING_BYTES} bytes of chunks arrived ahead of chunk ${message.next}`;
        return message.problem;
      }
      message.pending.set(index, data);
      message.pendingBytes += data.byteLength;
      return null;
    }
    message.problem = message.scanner.feed(data);
    message.next++;
    for (let chunk = message.pending.get(message.next); message.problem === null && chunk !== undefined; chunk = message.pending.get(message.next)) {
      message.pending.delete(message.next);
      message.pendingBytes -= chunk.byteLength;
      message.problem = message.scanner.feed(chunk);
      message.next++;
    }
    return message.problem;
  }

  /** Forgets the messages a connection left open (it disconnected). */
  forgetSender(sender: string): void {
    const mine = this.openBySender.get(sender);
    if (mine === undefined) return;
    for (const id of mine) this.open.delete(id);
    this.openBySender.delete(sender);
  }

  private add(sender: string, id: string): void {
    this.open.set(id, { owner: sender, scanner: new ChunkScanner(), next: 0, length: 0, pending: new Map(), pendingBytes: 0, problem: null });
    let mine = this.openBySender.get(sender);
    if (mine === undefined) {
      mine = new Set();
      this.openBySender.set(sender, mine);
    }
    mine.add(id);
  }

  private delete(id: string): void {
    const message = this.open.get(id);
    if (message === undefined) return;
    this.open.delete(id);
    const mine = this.openBySender.get(message.owner);
    mine?.delete(id);
    if (mine?.size === 0) this.openBySender.delete(message.owner);
  }
}

/** The call's arguments by parameter name: positional ones, then keyword ones (`with_kwargs`). */
function namedArgs(op: MessageCacheOp, extra: Record<string, unknown> | undefined): Record<string, unknown> {
  const args = Array.isArray(extra?.args) ? [...(extra.args as unknown[])] : [];
  const named: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (extra?.with_kwargs && last !== null && typeof last === 'object' && !Array.isArray(last) && !(last instanceof Uint8Array)) {
    args.pop();
    Object.assign(named, last);
  }
  PARAMS[op].forEach((name, i) => {
    if (i < args.length) named[name] = args[i];
  });
  return named;
}
