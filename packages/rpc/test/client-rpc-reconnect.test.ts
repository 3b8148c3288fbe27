import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrameHeader } from '../src/codec/frame.js';
import { RPC } from '../src/rpc.js';
import { silentLogger } from '../src/utils/logger.js';
import { WebsocketRPCConnection } from '../src/websocket/websocket-connection.js';
import { sendConnectionInfo, startHandshakePeer, until, type HandshakePeer } from './client-handshake-peer.js';

// The RPC peer on top of the WebSocket transport, against a handshake-only peer: checks the
// transport's contract with the RPC (re-registration hook, rejection on give-up).

let peer: HandshakePeer | null = null;
let rpc: RPC | null = null;

afterEach(async () => {
  await rpc?.disconnect();
  await peer?.close();
  rpc = null;
  peer = null;
});

const headers = (frames: Uint8Array[]) => frames.map((f) => decodeFrameHeader(f).header);

describe('RPC over WebsocketRPCConnection', () => {
  it("runs the RPC's on_connected registration again after a reconnection", async () => {
    peer = await startHandshakePeer((c) => {
      sendConnectionInfo(c);
    });
    const conn = new WebsocketRPCConnection({
      server_url: peer.url,
      client_id: 'client-r',
      logger: silentLogger,
      reconnect: { base_delay_ms: 10, settle_ms: 0, min_stable_ms: 0 },
    });
    await conn.open();
    rpc = new RPC(conn, { client_id: 'client-r', workspace: 'ws-test', logger: null });
    const first = peer;
    // the registration asks the manager for its default service
    await until(() => first.connections[0]!.binaries.length > 0, 'manager request on the first socket');
    expect(headers(first.connections[0]!.binaries)[0]).toMatchObject({ to: '*/manager-test', method: 'services.built-in.get_service' });

    first.connections[0]!.socket.close(1001, 'Server is shutting down');
    await until(() => first.connections.length === 2 && first.connections[1]!.binaries.length > 0, 'manager request after reconnect');
    expect(first.connections[1]!.auth.reconnection_token).toBe('reconnect-0');
    expect(headers(first.connections[1]!.binaries)[0]).toMatchObject({ to: '*/manager-test', method: 'services.built-in.get_service' });
  });

  it('rejects pending calls with a clear error when reconnection gives up', async () => {
    peer = await startHandshakePeer((c) => {
      if (c.index === 0) sendConnectionInfo(c);
      else c.socket.close(1011, 'still down');
    });
    const conn = new WebsocketRPCConnection({
      server_url: peer.url,
      client_id: 'client-g',
      logger: silentLogger,
      reconnect: { base_delay_ms: 10, settle_ms: 0, min_stable_ms: 0, max_attempts: 2 },
    });
    await conn.open();
    rpc = new RPC(conn, { client_id: 'client-g', workspace: 'ws-test', logger: null, method_timeout: 30 });
    const pending = rpc.get_remote_service('ws-test/other:svc', { timeout: 30, _no_retry: true });
    const outcome = pending.then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    const first = peer;
    await until(
      () => headers(first.connections[0]!.binaries).some((h) => h.to === 'ws-test/other'),
      'the call reached the wire',
    );
    first.connections[0]!.socket.close(1011, 'crash');
    expect(await outcome).toMatch(/^Connection lost: Reconnection failed after 2 attempts: WebSocket closed during handshake/);
    expect(conn._closed).toBe(true);
  });
});
