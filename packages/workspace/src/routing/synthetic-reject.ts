import { encodeFrame } from '@hypha/rpc';

/**
 * The reject the reference server sends straight back to a caller whose frame could not be routed
 * (rpc-protocol §3.6). `from`/`to` are the caller's own `to`/`from` as sent, so the caller's session
 * check accepts it, and the frame is not stamped.
 */
export function syntheticReject(
  session: string,
  sentTo: string | undefined,
  sentFrom: string | undefined,
  message: string,
): Uint8Array {
  const main: Record<string, unknown> = { type: 'method', method: `${session}.reject` };
  if (sentTo !== undefined) main.from = sentTo;
  if (sentFrom !== undefined) main.to = sentFrom;
  return encodeFrame(main, { args: [{ _rtype: 'error', _rvalue: message, _rtrace: '' }] });
}

/**
 * Tells a caller that `peerId` is gone (rpc-protocol §3.6, `peer_not_found`): hypha-rpc and
 * `@hypha/rpc` reject every call of theirs still waiting on that peer.
 */
export function peerNotFound(peerId: string, message: string): Uint8Array {
  return encodeFrame({ type: 'peer_not_found', peer_id: peerId, error: message });
}
