import { decode, encode } from '@msgpack/msgpack';
import { afterEach, describe, expect, it } from 'vitest';
import { asControlMessage, encodeStreamFrame, FrameStreamParser } from '../src/http/frame-stream.js';
import { HTTPStreamingRPCConnection, workspaceFromToken, type HttpConnectionOptions } from '../src/http/http-connection.js';
import { normalizeServerUrlHTTP } from '../src/http/http-server-url.js';
import { ConnectionAbortedError } from '../src/websocket/connection-errors.js';
import { until } from './client-handshake-peer.js';
import { connectionInfo, openStream, startHttpPeer, type HttpPeer, type PostScript, type StreamScript } from './client-http-peer.js';

// Transport-level behaviour against a minimal HTTP peer (spec §10): framing, control messages,
// POST retries and stream reconnection. Full behaviour is tested against the real server in e2e/.

let peer: HttpPeer | null = null;
let conn: HTTPStreamingRPCConnection | null = null;

afterEach(async () => {
  await conn?.disconnect();
  await peer?.close();
  conn = null;
  peer = null;
});

async function setup(onStream: StreamScript, options: Partial<HttpConnectionOptions> = {}, postStatus?: PostScript) {
  peer = await startHttpPeer(onStream, postStatus);
  conn = new HTTPStreamingRPCConnection({
    server_url: peer.base,
    client_id: 'c-http',
    logger: null,
    post_retry_delay_ms: 5,
    reconnect: { base_delay_ms: 10, max_delay_ms: 50 },
    ...options,
  });
  return { peer, conn };
}

describe('HTTP stream helpers', () => {
  it('splits length-prefixed frames across arbitrary chunks', () => {
    const parser = new FrameStreamParser();
    const bytes = new Uint8Array([...encodeStreamFrame(new Uint8Array([1, 2, 3])), ...encodeStreamFrame(new Uint8Array(5000).fill(7))]);
    const frames = [...parser.push(bytes.subarray(0, 2)), ...parser.push(bytes.subarray(2, 6)), ...parser.push(bytes.subarray(6))];
    expect(frames.map((f) => f.byteLength)).toEqual([3, 5000]);
    expect(Array.from(frames[0]!)).toEqual([1, 2, 3]);
  });

  it('classifies control messages and two-segment RPC frames', () => {
    expect(asControlMessage(encode({ type: 'ping' }))).toEqual({ type: 'ping' });
    expect(asControlMessage(encode({ type: 'method', to: 'x' }))).toBeNull();
    const twoSegments = new Uint8Array([...encode({ type: 'ping' }), ...encode({ args: [] })]);
    expect(asControlMessage(twoSegments)).toBeNull();
  });

  it('normalises server urls and reads the wid scope of a token', () => {
    expect(normalizeServerUrlHTTP('wss://h.org/ws')).toBe('https://h.org');
    expect(normalizeServerUrlHTTP('http://h.org/base/')).toBe('http://h.org/base');
    const payload = btoa(JSON.stringify({ scope: 'ws:my-lab#rw wid:my-lab cid:x' })).replace(/=+$/, '');
    expect(workspaceFromToken(`h.${payload}.s`)).toBe('my-lab');
    expect(workspaceFromToken('not-a-jwt')).toBeNull();
  });
});

describe('HTTPStreamingRPCConnection', () => {
  it('opens the stream, delivers RPC frames and POSTs outgoing frames', async () => {
    const rpcFrame = new Uint8Array([...encode({ type: 'method', to: 'ws-http/c-http' }), ...encode({ args: [1] })]);
    const { peer, conn } = await setup((s) => {
      openStream(s);
      const bytes = new Uint8Array([...connectionInfo(s.index), ...encodeStreamFrame(rpcFrame)]);
      s.res.write(bytes.subarray(0, 7)); // frames arrive in arbitrary pieces
      setTimeout(() => s.res.write(bytes.subarray(7)), 5);
    }, { token: 'tok' });
    const received: Uint8Array[] = [];
    conn.on_message((data) => received.push(data));
    const info = await conn.open();
    expect(info.manager_id).toBe('manager-http');
    expect(peer.streams[0]!.headers.authorization).toBe('Bearer tok');
    expect(peer.streams[0]!.query.get('client_id')).toBe('c-http');
    await until(() => received.length === 1, 'rpc frame');
    expect(Array.from(received[0]!)).toEqual(Array.from(rpcFrame));

    await conn.emit_message(new Uint8Array([9, 8, 7]));
    expect(peer.posts).toHaveLength(1);
    expect(Array.from(peer.posts[0]!.body)).toEqual([9, 8, 7]);
    expect(peer.posts[0]!.query.get('workspace')).toBe('ws-http');
  });

  it('refuses with the server detail on 401', async () => {
    const { conn } = await setup((s) => {
      s.res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"success":false,"detail":"Invalid token"}');
    });
    const failure = conn.open();
    await expect(failure).rejects.toBeInstanceOf(ConnectionAbortedError);
    await expect(failure).rejects.toThrow('Stream failed with status 401: {"success":false,"detail":"Invalid token"}');
  });

  it('requests token refreshes and keeps the new token', async () => {
    const { peer, conn } = await setup(
      (s) => {
        openStream(s);
        s.res.write(connectionInfo(s.index));
      },
      { token_refresh_delay: 0.01 },
    );
    await conn.open();
    await until(() => conn.reconnection_token === 'refreshed', 'refreshed token');
    expect(decode(peer.posts[0]!.body)).toEqual({ type: 'refresh_token' });
  });

  it('retries a POST answered with 400, but not one answered with 500', async () => {
    const statuses = [400, 200, 500];
    const { peer, conn } = await setup(
      (s) => {
        openStream(s);
        s.res.write(connectionInfo(s.index));
      },
      { token_refresh_interval: 0 },
      (i) => statuses[i] ?? 200,
    );
    await conn.open();
    await conn.emit_message(new Uint8Array([1]));
    expect(peer.posts).toHaveLength(2);
    await expect(conn.emit_message(new Uint8Array([2]))).rejects.toThrow('POST failed with status 500: status 500');
    expect(peer.posts).toHaveLength(3);
  });

  it('reopens an ended stream with the reconnection token and runs on_connected again', async () => {
    const { peer, conn } = await setup((s) => {
      openStream(s);
      s.res.write(connectionInfo(s.index));
      if (s.index === 0) setTimeout(() => s.res.end(), 10);
    });
    const connected: unknown[] = [];
    const disconnected: Array<string | undefined> = [];
    conn.on_connected((info) => {
      connected.push(info.reconnection_token);
    });
    conn.on_disconnected((reason) => disconnected.push(reason));
    await conn.open();
    await until(() => connected.length === 2, 'reconnected');
    expect(connected).toEqual(['rt-0', 'rt-1']);
    expect(peer.streams[1]!.query.get('reconnection_token')).toBe('rt-0');
    expect(peer.streams[1]!.query.get('workspace')).toBe('ws-http');
    expect(disconnected).toEqual(['Stream ended: stream closed by the server']);
  });

  it('gives up after max_attempts and then rejects sends', async () => {
    const { conn } = await setup(
      (s) => {
        if (s.index === 0) {
          openStream(s);
          s.res.write(connectionInfo(s.index));
          setTimeout(() => s.res.end(), 10);
        } else {
          s.res.writeHead(503).end('down');
        }
      },
      { reconnect: { base_delay_ms: 5, max_delay_ms: 10, max_attempts: 2 } },
    );
    const disconnected: Array<string | undefined> = [];
    conn.on_disconnected((reason) => disconnected.push(reason));
    await conn.open();
    await until(() => conn._closed, 'gave up');
    expect(disconnected.at(-1)).toBe('Reconnection failed after 2 attempts: Stream failed with status 503: down');
    await expect(conn.emit_message(new Uint8Array([1]))).rejects.toThrow('Connection is closed');
  });
});
