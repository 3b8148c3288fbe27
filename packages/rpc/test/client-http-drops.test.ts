import { afterEach, describe, expect, it } from 'vitest';
import { HTTPStreamingRPCConnection } from '../src/http/http-connection.js';
import { until } from './client-handshake-peer.js';
import { connectionInfo, openStream, startHttpPeer, type HttpPeer, type StreamScript } from './client-http-peer.js';
import { captureLogger } from './helpers/capture-logger.js';

// Repeated stream losses: a stream that ends soon after (or while) a reconnection completes
// must lead to another reconnection, however often it happens.

let peer: HttpPeer | null = null;
let conn: HTTPStreamingRPCConnection | null = null;
/** Releases on_connected handlers a test left hanging. */
const releases: Array<() => void> = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  await conn?.disconnect();
  await peer?.close();
  conn = null;
  peer = null;
});

async function setup(script: StreamScript) {
  const log = captureLogger();
  peer = await startHttpPeer(script);
  conn = new HTTPStreamingRPCConnection({
    server_url: peer.base,
    client_id: 'c-http',
    logger: log.logger,
    post_retry_delay_ms: 5,
    reconnect: { base_delay_ms: 10, max_delay_ms: 50 },
  });
  return { peer, conn, log };
}

/** Answers with connection_info, then ends the stream after `endAfterMs` when `end` says so. */
function scripted(end: (index: number) => boolean, endAfterMs = 5): StreamScript {
  return (s) => {
    openStream(s);
    s.res.write(connectionInfo(s.index));
    if (end(s.index)) setTimeout(() => s.res.end(), endAfterMs);
  };
}

describe('HTTPStreamingRPCConnection under repeated stream losses', () => {
  it('reconnects three times in a row, each stream ending while on_connected runs', async () => {
    const { peer, conn, log } = await setup(scripted((i) => i < 3));
    const tokens: unknown[] = [];
    conn.on_connected(async (info) => {
      tokens.push(info.reconnection_token);
      // like a re-registration: a round trip that outlasts the stream
      await new Promise((r) => setTimeout(r, 30));
    });
    await conn.open();
    await until(() => log.messages('info').includes('Stream reconnected'), 'a reconnection that held');
    expect(tokens).toEqual(['rt-0', 'rt-1', 'rt-2', 'rt-3']);
    expect(peer.streams.slice(1).map((s) => s.query.get('reconnection_token'))).toEqual(['rt-0', 'rt-1', 'rt-2']);
    expect(conn._closed).toBe(false);
  });

  it('retries at once when the stream ends while on_connected is still running', async () => {
    const { peer, conn, log } = await setup(scripted((i) => i < 2, 20));
    const tokens: unknown[] = [];
    conn.on_connected((info) => {
      tokens.push(info.reconnection_token);
      // stuck like a call whose reply went to the stream that ended
      if (info.reconnection_token === 'rt-1') return new Promise<void>((resolve) => releases.push(resolve));
    });
    await conn.open();
    await until(() => tokens.includes('rt-2'), 'on_connected for the third stream');
    await until(() => log.messages('info').includes('Stream reconnected'), 'a reconnection that held');
    expect(peer.streams).toHaveLength(3);
  });

  it('retries when the on_connected handler reports failed service re-registration', async () => {
    const { peer, conn, log } = await setup(scripted((i) => i === 0, 20));
    conn.on_connected((info) => {
      conn!._services_registered_ok = info.reconnection_token !== 'rt-1';
    });
    await conn.open();
    await until(() => log.messages('info').includes('Stream reconnected'), 'a reconnection that held');
    expect(peer.streams).toHaveLength(3);
    expect(log.messages('warn')).toContain('Stream reconnection attempt failed');
  });
});
