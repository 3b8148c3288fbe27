/**
 * The outgoing queue of one `ws` connection, bounded per consumer (issue #10 item 4). Frames for
 * a consumer wait in its own socket buffer; nobody else waits on it: the router never pauses a
 * sender because a consumer is slow. A consumer is cut off (close code 1013, then the socket is
 * destroyed, since a consumer that does not read never reads the close frame either) when
 * - its queue holds more than `limit` bytes when a new frame arrives for it, or
 * - its queue stays above `highWaterMark` for `stallMs` without a single byte written out.
 * A consumer that keeps reading, however slowly, is only bounded by `limit`.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** Default queue size above which a consumer is watched for progress. */
export const DEFAULT_QUEUE_HIGH_WATER_MARK = 512 * 1024;

/** Default most a consumer's queue may hold before it is cut off (128 chunks of 256 KiB). */
export const DEFAULT_QUEUE_LIMIT = 32 * 1024 * 1024;

/** Default time a consumer's queue may stay above the high-water mark without progress. */
export const DEFAULT_SLOW_CONSUMER_MS = 30_000;

/** Close code for a consumer cut off for not reading (1013: try again later). */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;

/** How long a cut-off consumer's close frame may take before its socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

export interface ConsumerQueueOptions {
  limit?: number;
  highWaterMark?: number;
  stallMs?: number;
  /** Called once when the consumer is cut off, with the reason sent in the close frame. */
  onCutOff?: (reason: string) => void;
}

/** The TCP socket under a `ws` WebSocket (ws@8 keeps it in `_socket`; no public accessor). */
function rawSocket(ws: WebSocket): Duplex | undefined {
  return (ws as unknown as { _socket?: Duplex | null })._socket ?? undefined;
}

/** Bytes the socket has handed to the kernel so far (written minus still queued). */
function flushedBytes(socket: Duplex | undefined): number {
  if (socket === undefined) return 0;
  const net = socket as Duplex & { bytesWritten?: number };
  return (net.bytesWritten ?? 0) - socket.writableLength;
}

export class ConsumerQueue {
  readonly limit: number;
  readonly highWaterMark: number;
  readonly stallMs: number;
  private watch: { timer: NodeJS.Timeout; flushed: number; since: number } | null = null;
  private cut = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly o: ConsumerQueueOptions = {},
  ) {
    this.limit = o.limit ?? DEFAULT_QUEUE_LIMIT;
    this.highWaterMark = o.highWaterMark ?? DEFAULT_QUEUE_HIGH_WATER_MARK;
    this.stallMs = o.stallMs ?? DEFAULT_SLOW_CONSUMER_MS;
    ws.once('close', () => this.stopWatch());
  }

  /** Whether a frame may be queued now; false (and the consumer is cut off) when its queue is full. */
  admit(): boolean {
    if (this.cut) return false;
    if (this.ws.bufferedAmount <= this.limit) return true;
    this.cutOff(`Slow consumer: more than ${this.limit} bytes waiting to be sent to this connection`);
    return false;
  }

  /** Call after queueing a frame: starts watching for progress when the queue is above the mark. */
  queued(): void {
    if (this.watch !== null || this.cut || this.ws.bufferedAmount <= this.highWaterMark) return;
    const period = Math.max(50, Math.min(1_000, this.stallMs / 4));
    const timer = setInterval(() => this.check(), period);
    timer.unref();
    this.watch = { timer, flushed: flushedBytes(rawSocket(this.ws)), since: Date.now() };
  }

  private check(): void {
    const watch = this.watch;
    if (watch === null) return;
    if (this.ws.bufferedAmount <= this.highWaterMark) {
      this.stopWatch();
      return;
    }
    const flushed = flushedBytes(rawSocket(this.ws));
    const now = Date.now();
    if (flushed !== watch.flushed) {
      watch.flushed = flushed;
      watch.since = now;
    } else if (now - watch.since >= this.stallMs) {
      this.cutOff(`Slow consumer: nothing was read for ${this.stallMs / 1000} s while ${this.ws.bufferedAmount} bytes waited`);
    }
  }

  private stopWatch(): void {
    if (this.watch === null) return;
    clearInterval(this.watch.timer);
    this.watch = null;
  }

  private cutOff(reason: string): void {
    if (this.cut) return;
    this.cut = true;
    this.stopWatch();
    this.o.onCutOff?.(reason);
    cutOff(this.ws, SLOW_CONSUMER_CLOSE_CODE, reason);
  }
}

/**
 * Closes with `code` and destroys the socket if the close handshake has not finished within a
 * short grace (a peer that does not read never answers it).
 */
export function cutOff(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState !== ws.OPEN) {
    ws.terminate();
    return;
  }
  ws.close(code, reason.length > 120 ? `${reason.slice(0, 117)}...` : reason);
  const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
}
