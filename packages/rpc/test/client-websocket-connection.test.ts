import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionAbortedError } from '../src/websocket/connection-errors.js';
import { silentLogger } from '../src/utils/logger.js';
import { reconnectDelay } from '../src/websocket/reconnect-backoff.js';
import { normalizeServerUrl } from '../src/websocket/server-url.js';
import {
  WebsocketRPCConnection,
  type WebsocketConnectionOptions,
} from '../src/websocket/websocket-connection.js';
import {
  sendConnectionInfo,
  startHandshakePeer,
  until,
  type HandshakePeer,
  type PeerScript,
} from './client-handshake-peer.js';

const fastReconnect = { base_delay_ms: 10, max_delay_ms: 50, settle_ms: 0, min_stable_ms: 0 };

let peer: HandshakePeer | null = null;
let conn: WebsocketRPCConnection | null = null;

afterEach(async () => {
  await conn?.disconnect();
  await peer?.close();
  conn = null;
  peer = null;
});

async function setup(script: PeerScript, options: Partial<WebsocketConnectionOptions> = {}) {
  peer = await startHandshakePeer(script);
  conn = new WebsocketRPCConnection({
    server_url: peer.url,
    client_id: 'client-1',
    logger: silentLogger,
    reconnect: fastReconnect,
    ...options,
  });
  return { peer, conn };
}

describe('normalizeServerUrl', () => {
  it('maps http(s) to ws(s) and appends /ws', () => {
    expect(normalizeServerUrl('http://localhost:9527')).toBe('ws://localhost:9527/ws');
    expect(normalizeServerUrl('https://hypha.aicell.io/')).toBe('wss://hypha.aicell.io/ws');
    expect(normalizeServerUrl('https://h.org/base')).toBe('wss://h.org/base/ws');
    expect(normalizeServerUrl('ws://h.org/ws')).toBe('ws://h.org/ws');
  });

  it('rejects a missing or unknown-scheme url by name', () => {
    expect(() => normalizeServerUrl('')).toThrow('server_url is required');
    expect(() => normalizeServerUrl('ftp://x')).toThrow('Invalid server_url: ftp://x');
  });
});

describe('reconnectDelay', () => {
  const opts = { base_delay_ms: 1000, max_delay_ms: 60_000, jitter: 0.1 };
  it('doubles from the base up to the cap', () => {
    expect([0, 1, 2, 5, 6, 10].map((r) => reconnectDelay(r, opts, 0.5))).toEqual([
      1000, 2000, 4000, 32000, 60000, 60000,
    ]);
  });
  it('keeps jitter within ±10%', () => {
    expect(reconnectDelay(1, opts, 0)).toBe(1800);
    expect(reconnectDelay(1, opts, 0.999999)).toBeCloseTo(2200, 0);
  });
});

describe('WebsocketRPCConnection handshake', () => {
  it('sends the auth frame, ignores early binary frames and resolves connection_info', async () => {
    const { peer, conn } = await setup(
      (c) => {
        c.socket.send(new Uint8Array([9, 9, 9])); // must be ignored
        sendConnectionInfo(c);
      },
      { workspace: 'ws-test', token: 'tok' },
    );
    const received: Uint8Array[] = [];
    conn.on_message((data) => received.push(data));
    const info = await conn.open();

    expect(peer.connections[0]!.auth).toEqual({ client_id: 'client-1', workspace: 'ws-test', token: 'tok', reconnection_token: null });
    expect(info.manager_id).toBe('manager-test');
    expect(conn.manager_id).toBe('manager-test');
    expect(conn.reconnection_token).toBe('reconnect-0');

    peer.connections[0]!.socket.send(new Uint8Array([1, 2, 3]));
    await conn.emit_message(new Uint8Array([4, 5]));
    await until(() => received.length === 1 && peer.connections[0]!.binaries.length === 1, 'frames both ways');
    expect(Array.from(received[0]!)).toEqual([1, 2, 3]);
    expect(Array.from(peer.connections[0]!.binaries[0]!)).toEqual([4, 5]);
  });

  it('treats an error reply as fatal and surfaces the server reason', async () => {
    const { conn } = await setup((c) => {
      c.socket.send(JSON.stringify({ type: 'error', message: 'Authentication error: The token has expired' }));
      c.socket.close(1008, 'Authentication error');
    });
    const failure = conn.open();
    await expect(failure).rejects.toBeInstanceOf(ConnectionAbortedError);
    await expect(failure).rejects.toThrow('ConnectionAbortedError: Authentication error: The token has expired');
  });

  it('rejects a connection to the wrong workspace', async () => {
    const { conn } = await setup((c) => sendConnectionInfo(c, { workspace: 'other' }), { workspace: 'mine' });
    await expect(conn.open()).rejects.toThrow('Connected to the wrong workspace: other, expected: mine');
  });

  it('rejects connection_info without manager_id', async () => {
    const { conn } = await setup((c) => sendConnectionInfo(c, { manager_id: null }));
    await expect(conn.open()).rejects.toThrow('Failed to get manager ID from server');
  });
});

describe('WebsocketRPCConnection liveness', () => {
  it('pings and refreshes its reconnection token', async () => {
    const { peer, conn } = await setup(
      (c) => {
        sendConnectionInfo(c);
        c.socket.on('message', (data, isBinary) => {
          if (isBinary) return;
          const msg = JSON.parse(String(data));
          if (msg.type === 'ping') c.socket.send(JSON.stringify({ type: 'pong' }));
          if (msg.type === 'refresh_token') {
            c.socket.send(JSON.stringify({ type: 'reconnection_token', reconnection_token: 'fresh-token' }));
          }
        });
      },
      { ping_interval: 0.02, token_refresh_delay: 0.01, token_refresh_interval: 0.05 },
    );
    await conn.open();
    const controls = () => peer.connections[0]!.controls.map((m) => m.type);
    await until(() => controls().filter((t) => t === 'ping').length >= 2, 'two pings');
    await until(() => conn.reconnection_token === 'fresh-token', 'refreshed token');
    expect(controls()).toContain('refresh_token');
  });
});

describe('WebsocketRPCConnection reconnection', () => {
  it('reconnects with the reconnection token, re-runs on_connected and flushes queued sends', async () => {
    const { peer, conn } = await setup((c) => {
      sendConnectionInfo(c);
      if (c.index === 0) setTimeout(() => c.socket.close(1001, 'Server is shutting down'), 20);
    });
    const connected: string[] = [];
    const disconnected: Array<string | undefined> = [];
    conn.on_connected((info) => {
      connected.push(String(info.reconnection_token));
    });
    conn.on_disconnected((reason) => disconnected.push(reason));
    await conn.open();
    await until(() => connected.length === 2, 'second on_connected');

    expect(connected).toEqual(['reconnect-0', 'reconnect-1']);
    expect(peer.connections[1]!.auth.reconnection_token).toBe('reconnect-0');
    expect(disconnected[0]).toContain('Server is shutting down');
    expect(conn._closed).toBe(false);
    await conn.emit_message(new Uint8Array([7]));
    await until(() => peer.connections[1]!.binaries.length === 1, 'frame on the new socket');
  });

  it('backs off while the server drops handshakes, then recovers', async () => {
    const { peer, conn } = await setup((c) => {
      if (c.index === 0 || c.index >= 4) {
        sendConnectionInfo(c);
        if (c.index === 0) setTimeout(() => c.socket.close(1011, 'crash'), 10);
      } else {
        c.socket.close(1011, 'not ready'); // bare close during handshake: retryable
      }
    });
    let connectedCount = 0;
    conn.on_connected(() => {
      connectedCount += 1;
    });
    await conn.open();
    const sent = conn.emit_message(new Uint8Array([1])); // waits for the reconnection
    await until(() => connectedCount === 2, 'reconnected after failed attempts');
    await sent;
    expect(peer.connections.length).toBe(5);
    expect(peer.connections.slice(1).every((c) => c.auth.reconnection_token === 'reconnect-0')).toBe(true);
  });

  it('gives up after max_attempts: closed, final on_disconnected, sends rejected', async () => {
    const { conn } = await setup(
      (c) => {
        if (c.index === 0) {
          sendConnectionInfo(c);
          setTimeout(() => c.socket.close(1011, 'crash'), 10);
        } else c.socket.close(1011, 'not ready');
      },
      { reconnect: { ...fastReconnect, max_attempts: 3 } },
    );
    const disconnected: Array<string | undefined> = [];
    conn.on_disconnected((reason) => disconnected.push(reason));
    await conn.open();
    await until(() => disconnected.length === 1, 'first drop');
    const pending = conn.emit_message(new Uint8Array([1])); // queued behind the reconnection
    await expect(pending).rejects.toThrow('Connection is closed: Reconnection failed after 3 attempts');
    expect(conn._closed).toBe(true);
    expect(disconnected.at(-1)).toMatch(/^Reconnection failed after 3 attempts: WebSocket closed during handshake/);
    await expect(conn.emit_message(new Uint8Array([2]))).rejects.toThrow('Connection is closed');
  });

  it('stops at once when the server refuses the reconnection with an error frame', async () => {
    const { peer, conn } = await setup((c) => {
      if (c.index === 0) {
        sendConnectionInfo(c);
        setTimeout(() => c.socket.close(1001, 'bye'), 10);
      } else {
        c.socket.send(JSON.stringify({ type: 'error', message: 'Client id mismatch, disconnecting' }));
        c.socket.close(1008);
      }
    });
    const disconnected: Array<string | undefined> = [];
    conn.on_disconnected((reason) => disconnected.push(reason));
    await conn.open();
    await until(() => conn._closed, 'gave up');
    expect(disconnected.at(-1)).toBe(
      'Server refused reconnection: ConnectionAbortedError: Client id mismatch, disconnecting',
    );
    expect(peer.connections.length).toBe(2);
  });
});

describe('WebsocketRPCConnection.disconnect', () => {
  it('closes with 1000, does not reconnect and rejects later sends', async () => {
    const codes: number[] = [];
    const { peer, conn } = await setup((c) => {
      c.socket.on('close', (code) => codes.push(code));
      sendConnectionInfo(c);
    });
    const disconnected: Array<string | undefined> = [];
    conn.on_disconnected((reason) => disconnected.push(reason));
    await conn.open();
    await conn.disconnect('bye now');
    await until(() => codes.length === 1, 'server saw the close');
    expect(codes).toEqual([1000]);
    expect(disconnected).toEqual(['bye now']);
    expect(peer.connections.length).toBe(1);
    await expect(conn.emit_message(new Uint8Array([1]))).rejects.toThrow('Connection is closed');
  });
});
