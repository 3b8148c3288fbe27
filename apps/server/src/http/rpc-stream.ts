/**
 * One `/rpc` downstream (rpc-protocol §10.2): frames are written as `uint32_be(length) ‖ payload`
 * on a long-lived chunked response, with a `{"type":"ping"}` keep-alive when idle.
 */
import type { Response } from 'express';
import { encodeMsgpack } from '@hypha/rpc';
import type { ClientSession } from '@hypha/workspace';
import type { HttpMetrics } from './metrics.js';
import type { RpcStreamSettings } from './rpc-transport.js';

export class RpcStream {
  session: ClientSession | null = null;
  private lastWrite = Date.now();
  private ended = false;
  private readonly pinger: ReturnType<typeof setInterval>;
  private giveUp: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly res: Response,
    private readonly metrics: HttpMetrics,
    private readonly settings: RpcStreamSettings,
  ) {
    const { pingSeconds } = settings;
    this.pinger = setInterval(() => {
      if (Date.now() - this.lastWrite >= pingSeconds * 1000) this.sendControl({ type: 'ping' });
    }, Math.max(250, (pingSeconds * 1000) / 2));
    this.pinger.unref();
  }

  /** Whether frames can still be written: not ended by either side. */
  get isOpen(): boolean {
    return !this.ended && !this.res.destroyed && !this.res.writableEnded;
  }

  /**
   * Queues one frame. Returns `false` when the stream cannot take it (ended, closed, or just
   * recycled because the client reads too slowly), so the router rejects the caller (§3.6).
   */
  write(payload: Uint8Array): boolean {
    if (!this.isOpen) return false;
    if (this.res.writableLength > this.settings.maxBuffered) {
      this.end(`The client reads too slowly: more than ${this.settings.maxBuffered} bytes are waiting`);
      return false;
    }
    this.put(payload);
    return true;
  }

  private put(payload: Uint8Array): void {
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

  /**
   * Ends the stream, telling the client why when there is a reason. A client that does not read
   * the end (frozen, or its network gone) within `endTimeoutSeconds` has its connection dropped,
   * so the response closes and the client is released.
   */
  end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.pinger);
    if (this.res.destroyed) return;
    if (reason) this.put(encodeMsgpack({ type: 'error', message: reason }));
    this.res.end();
    this.giveUp = setTimeout(() => this.res.destroy(), this.settings.endTimeoutSeconds * 1000);
    this.giveUp.unref();
  }

  /** @internal the response closed (client went away or we ended it). */
  closed(): void {
    this.ended = true;
    clearInterval(this.pinger);
    if (this.giveUp) clearTimeout(this.giveUp);
    this.giveUp = null;
  }
}
