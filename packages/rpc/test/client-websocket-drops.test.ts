import { afterEach, describe, expect, it } from 'vitest';
import { WebsocketRPCConnection } from '../src/websocket/websocket-connection.js';
import { sendConnectionInfo, startHandshakePeer, until, type HandshakePeer, type PeerScript } from './client-handshake-peer.js';
import { captureLogger } from './helpers/capture-logger.js';

// Repeated drops: a socket lost soon after (or while) a reconnection completes must lead to
// another reconnection, however often it happens.

let peer: HandshakePeer | null = null;
let conn: WebsocketRPCConnection | null = null;
/** Releases on_connected handlers a test left hanging. */
const releases: Array<() => void> = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  await conn?.disconnect();
  await peer?.close();
  conn = null;
  peer = null;
});

async function setup(script: PeerScript, reconnect: Record<string, number>) {
  const log = captureLogger();
  peer = await startHandshakePeer(script);
  conn = new WebsocketRPCConnection({ server_url: peer.url, client_id: 'client-d', logger: log.logger, reconnect });
  return { peer, conn, log };
}

/** A handler stuck like a call whose reply went to a socket that died. */
function stuck(): Promise<void> {
  return new Promise((resolve) => releases.push(resolve));
}

describe('WebsocketRPCConnection under repeated drops', () => {
  it('reconnects three times in a row, each drop during the previous settle period', async () => {
    const { peer, conn, log } = await setup(
      (c) => {
        sendConnectionInfo(c);
        if (c.index < 3) setTimeout(() => c.socket.terminate(), 5);
      },
      { base_delay_ms: 10, max_delay_ms: 50, settle_ms: 100, min_stable_ms: 5000 },
    );
    const tokens: string[] = [];
    conn.on_connected((info) => {
      tokens.push(String(info.reconnection_token));
    });
    await conn.open();
    await until(() => log.messages('info').includes('Reconnected'), 'a reconnection that held');
    expect(tokens).toEqual(['reconnect-0', 'reconnect-1', 'reconnect-2', 'reconnect-3']);
    // each attempt presented the latest reconnection token
    expect(peer.connections.slice(1).map((c) => c.auth.reconnection_token)).toEqual(['reconnect-0', 'reconnect-1', 'reconnect-2']);
    await conn.emit_message(new Uint8Array([9]));
    await until(() => peer.connections[3]!.binaries.length === 1, 'frame on the fourth socket');
  });

  it('retries at once when the socket drops while on_connected is still running', async () => {
    const { peer, conn, log } = await setup(
      (c) => {
        sendConnectionInfo(c);
        // drop the first socket, then the reconnected one while its handler re-registers
        if (c.index < 2) setTimeout(() => c.socket.terminate(), 20);
      },
      { base_delay_ms: 10, max_delay_ms: 50, settle_ms: 0, min_stable_ms: 0 },
    );
    const tokens: string[] = [];
    conn.on_connected((info) => {
      tokens.push(String(info.reconnection_token));
      if (info.reconnection_token === 'reconnect-1') return stuck();
    });
    await conn.open();
    await until(() => tokens.includes('reconnect-2'), 'on_connected for the third socket');
    await until(() => log.messages('info').includes('Reconnected'), 'a reconnection that held');
    expect(log.messages('warn')).toContain('Reconnection attempt failed');
    await conn.emit_message(new Uint8Array([9]));
    await until(() => peer.connections[2]!.binaries.length === 1, 'frame on the third socket');
  });

  it('retries when the on_connected handler reports failed service re-registration', async () => {
    const { peer, conn, log } = await setup(
      (c) => {
        sendConnectionInfo(c);
        if (c.index === 0) setTimeout(() => c.socket.terminate(), 20);
      },
      { base_delay_ms: 10, max_delay_ms: 50, settle_ms: 0, min_stable_ms: 0 },
    );
    conn.on_connected((info) => {
      // what the RPC does: report whether every service was registered again
      conn!._services_registered_ok = info.reconnection_token !== 'reconnect-1';
    });
    await conn.open();
    await until(() => log.messages('info').includes('Reconnected'), 'a reconnection that held');
    expect(peer.connections).toHaveLength(3);
    expect(log.entries).toContainEqual({ level: 'warn', message: 'Reconnection attempt failed' });
  });
});
