/**
 * A tiny in-test router standing in for the server: peers attach under `<ws>/<client_id>`;
 * each frame's segment 1 gets `from`/`to`/`ws`/`user` stamped like the reference server does
 * (spec §3.3) and the rest is forwarded byte for byte. Unknown targets of calls that expect a
 * reply get the server's synthetic reject (spec §3.6).
 */
import {
  createMemoryConnection,
  decodeFrameHeader,
  encodeFrame,
  rewriteFrameHeader,
  type MemoryConnection,
} from '../../src/index.js';

export interface RoutedFrame {
  from: string;
  to: string;
  bytes: Uint8Array;
}

export class TestRouter {
  readonly peers = new Map<string, MemoryConnection>();
  /** Every frame as delivered (after stamping), for assertions on the wire. */
  readonly delivered: RoutedFrame[] = [];
  /** Frames are recorded only while true (large payload tests turn it off). */
  record = true;
  /** Sources whose frames are silently dropped (to simulate a peer that stopped answering). */
  readonly blocked = new Set<string>();

  /** Creates the connection of a peer at `<workspace>/<clientId>`. */
  attach(workspace: string, clientId: string, managerId: string | null = null): MemoryConnection {
    const address = `${workspace}/${clientId}`;
    const conn = createMemoryConnection({
      manager_id: managerId,
      workspace,
      send: (frame) => this.route(address, workspace, frame),
    });
    this.peers.set(address, conn);
    return conn;
  }

  detach(workspace: string, clientId: string): void {
    const address = `${workspace}/${clientId}`;
    this.peers.get(address)?.close('detached');
    this.peers.delete(address);
  }

  route(source: string, senderWs: string, frame: Uint8Array): void {
    if (this.blocked.has(source)) return;
    const { header, headerEnd } = decodeFrameHeader(frame);
    const sentTo = String(header.to);
    const sentFrom = header.from;
    let target = sentTo;
    if (!target.includes('/')) target = `${senderWs}/${target}`;
    const stamped = rewriteFrameHeader(
      frame,
      { ...header, from: source, to: target, ws: senderWs === '*' ? target.split('/')[0] : senderWs, user: { id: 'tester' } },
      headerEnd,
    );
    const peer = this.peers.get(target);
    if (!peer) {
      if (typeof header.session === 'string') {
        const reject = encodeFrame(
          { type: 'method', from: sentTo, to: String(sentFrom), method: `${header.session}.reject` },
          { args: [{ _rtype: 'error', _rvalue: `Target peer ${target} is not connected`, _rtrace: '' }] },
        );
        const back = this.peers.get(source);
        queueMicrotask(() => back?.deliver(reject));
      }
      return;
    }
    if (this.record) this.delivered.push({ from: source, to: target, bytes: stamped });
    queueMicrotask(() => peer.deliver(stamped));
  }
}

/** A hand-driven peer: sends raw frames through the router and records what it receives. */
export function rawPeer(router: TestRouter, workspace: string, clientId: string) {
  const received: Uint8Array[] = [];
  const conn = router.attach(workspace, clientId);
  conn.on_message((frame) => received.push(frame));
  return {
    address: `${workspace}/${clientId}`,
    received,
    send(frame: Uint8Array): void {
      router.route(`${workspace}/${clientId}`, workspace, frame);
    },
    /** Resolves with the next frame received after `count` frames. */
    async next(count = received.length): Promise<Uint8Array> {
      for (let i = 0; i < 200 && received.length <= count; i++) await new Promise((r) => setTimeout(r, 5));
      if (received.length <= count) throw new Error(`raw peer ${clientId}: no frame received`);
      return received[count]!;
    },
  };
}
