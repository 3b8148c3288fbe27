/**
 * One `/rpc` downstream (rpc-protocol §10.2): frames are written as `uint32_be(length) ‖ payload`
 * on a long-lived chunked response, with a `{"type":"ping"}` keep-alive when idle.
 */
import type { Response } from 'express';
import { encodeMsgpack } from '@hypha/rpc';
import type { ClientSession } from '@hypha/workspace';
import type { HttpMetrics } from './metrics.js';

/** Bytes allowed to wait in the socket buffer before the stream is recycled (slow reader). */
const MAX_BUFFERED = 64 * 1024 * 1024;

export class RpcStream {
  session: ClientSession | null = null;
  private lastWrite = Date.now();
  private ended = false;
  private readonly pinger: ReturnType<typeof setInterval>;

  constructor(
    private readonly res: Response,
    private readonly metrics: HttpMetrics,
    pingSeconds: number,
  ) {
    this.pinger = setInterval(() => {
      if (Date.now() - this.lastWrite >= pingSeconds * 1000) this.sendControl({ type: 'ping' });
    }, Math.max(250, (pingSeconds * 1000) / 2));
    this.pinger.unref();
  }

  get isOpen(): boolean {
    return !this.ended && !this.res.destroyed;
  }

  write(payload: Uint8Array): void {
    if (!this.isOpen) return;
    if (this.res.writableLength > MAX_BUFFERED) {
      this.end(`The client reads too slowly: more than ${MAX_BUFFERED} bytes are waiting`);
      return;
    }
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(payload.byteLength, 0);
    this.res.write(head);
    this.res.write(payload);
    this.lastWrite = Date.now();
    this.metrics.streamFramesOut.inc();
  }

  sendControl(message: Record<string, unknown>): void {
    this.write(encodeMsgpack(message));
  }

  /** Ends the stream, telling the client why when there is a reason. */
  end(reason?: string): void {
    if (this.ended) return;
    if (reason) this.sendControl({ type: 'error', message: reason });
    this.ended = true;
    clearInterval(this.pinger);
    if (!this.res.destroyed) this.res.end();
  }

  /** @internal the response closed (client went away or we ended it). */
  closed(): void {
    this.ended = true;
    clearInterval(this.pinger);
  }
}
