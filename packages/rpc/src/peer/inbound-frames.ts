/**
 * Turning what the transport delivers into messages for the peer's event handlers: binary
 * frames (spec §3.1, segment 2 merged into segment 1 except the stamped keys, `ctx` built) and JSON text messages.
 */
import { decodeFrame, decodeFrameHeader, encodeFrame, mergeSegment2, type FrameHeader } from '../codec/frame.js';
import { toError } from '../errors.js';
import type { Logger } from '../utils/logger.js';

/** What reading inbound frames needs from the peer. */
export interface InboundHost {
  readonly logger: Logger;
  readonly clientId: string;
  readonly localWorkspace: string | null;
  readonly defaultContext: Record<string, unknown>;
  dispatch(main: Record<string, any>): void;
  sendFrame(frame: Uint8Array): Promise<void>;
}

/** Decodes one inbound message and dispatches it; unreadable ones are reported, not thrown. */
export function receiveMessage(host: InboundHost, data: Uint8Array | ArrayBuffer | string): void {
  if (typeof data === 'string') {
    let main: Record<string, any>;
    try {
      main = JSON.parse(data);
    } catch (err) {
      host.logger.error(`Dropped malformed text message: ${toError(err).message}`);
      return;
    }
    main.ctx = { ...main, ...host.defaultContext };
    host.dispatch(main);
    return;
  }
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  let decoded;
  try {
    decoded = decodeFrame(bytes);
  } catch (err) {
    rejectMalformed(host, bytes, toError(err));
    return;
  }
  const main: Record<string, any> = decoded.main;
  main.ctx = { ...main, ...host.defaultContext };
  // The caller is who the router stamped in segment 1, whatever segment 2 claims.
  if (decoded.extra) mergeSegment2(main, decoded.extra);
  host.dispatch(main);
}

/** A frame we cannot read: tell the caller if segment 1 says who is waiting, else log it. */
function rejectMalformed(host: InboundHost, bytes: Uint8Array, error: Error): void {
  let header: FrameHeader | null = null;
  try {
    header = decodeFrameHeader(bytes).header;
  } catch {
    header = null; // segment 1 itself is unreadable; nothing identifies the sender
  }
  host.logger.error(`Dropped malformed frame (${bytes.byteLength} bytes) from ${String(header?.from ?? 'unknown')}: ${error.message}`);
  if (header?.type === 'method' && typeof header.session === 'string' && typeof header.from === 'string') {
    const reply = encodeFrame(
      { type: 'method', from: `${host.localWorkspace ?? '*'}/${host.clientId}`, to: header.from, method: `${header.session}.reject` },
      { args: [{ _rtype: 'error', _rvalue: `Error: ${error.message}`, _rtrace: '' }] },
    );
    host.sendFrame(reply).catch((err: unknown) => host.logger.error('Failed to send the rejection of a malformed frame', err));
  }
}
