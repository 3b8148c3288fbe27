import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import { decodeFrame, encodeFrame } from '@hypha/rpc';
import { rawSession, type RawSession } from './helpers/raw-socket.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// Issue #10 item 4: a consumer that stopped reading used to freeze a provider for every other
// consumer (back-pressure paused the provider's socket), the idle sweep skipped paused sockets and
// text pings kept a client that reads nothing "active". Now each consumer has its own bounded
// queue: nobody waits on it, and it is cut off (1013) when the queue is full or when it reads
// nothing for the slow-consumer timeout; a client that answers no protocol ping times out.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function join(t: TestServer, clientId: string): Promise<{ raw: RawSession; id: string }> {
  const raw = rawSession(t.wsUrl, { client_id: clientId });
  const info = await raw.first;
  return { raw, id: `${info.workspace as string}/${clientId}` };
}

/** Stops reading at the TCP level (the client's kernel buffer fills, then the server's queue). */
function stopReading(raw: RawSession): Duplex {
  const socket = (raw.ws as unknown as { _socket: Duplex })._socket;
  socket.pause();
  return socket;
}

async function connectedUntil(t: TestServer, id: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (t.server.websocket.bufferedAmount(id) !== null) {
    if (Date.now() - started > timeoutMs) throw new Error(`${id} still connected after ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('a consumer that stops reading', () => {
  let t: TestServer;
  const STALL_S = 2;
  beforeAll(async () => {
    t = await startTestServer({ wsQueueHighWaterMark: 64 * 1024, wsQueueLimit: 8 * 1024 * 1024, slowConsumerTimeout: STALL_S });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('never delays the provider\'s other consumers, and is cut off after the slow-consumer timeout', async () => {
    const provider = await join(t, 'provider');
    const stalled = await join(t, 'stalled');
    const other = await join(t, 'other');
    const socket = stopReading(stalled.raw);

    // The provider pushes to the stalled consumer until the server queues for it (its kernel
    // buffers are full), staying under the queue limit.
    const blob = new Uint8Array(256 * 1024);
    for (let i = 0; i < 24 && (t.server.websocket.bufferedAmount(stalled.id) ?? 0) < 1024 * 1024; i++) {
      provider.raw.ws.send(encodeFrame({ type: 'data', to: stalled.id }, { blob }));
      await sleep(20);
    }
    expect(t.server.websocket.bufferedAmount(stalled.id)).toBeGreaterThan(64 * 1024);

    // Then it answers the other consumer: that arrives while the stalled one is still connected.
    provider.raw.ws.send(encodeFrame({ type: 'hello', to: other.id }, { n: 1 }));
    for (;;) {
      const { main } = decodeFrame(await other.raw.nextBinary(STALL_S * 1000));
      if (main.type === 'hello') break;
    }
    expect(t.server.websocket.bufferedAmount(stalled.id)).not.toBeNull();

    // Having read nothing for the timeout, the stalled consumer is cut off.
    await connectedUntil(t, stalled.id, 15_000);
    socket.resume();
    expect([1013, 1006]).toContain((await stalled.raw.closed).code);
    expect(t.server.websocket.bufferedAmount(provider.id)).toBe(0);
    provider.raw.ws.close();
    other.raw.ws.close();
  }, 30_000);

  it('is cut off at once when its queue passes the limit, holding no more than the limit and one frame', async () => {
    const provider = await join(t, 'provider-2');
    const stalled = await join(t, 'stalled-2');
    stopReading(stalled.raw);
    const blob = new Uint8Array(1024 * 1024);
    let maxQueued = 0;
    for (let i = 0; i < 64 && t.server.websocket.bufferedAmount(stalled.id) !== null; i++) {
      provider.raw.ws.send(encodeFrame({ type: 'data', to: stalled.id }, { blob }));
      await sleep(10);
      maxQueued = Math.max(maxQueued, t.server.websocket.bufferedAmount(stalled.id) ?? 0);
    }
    // Cut off well before the slow-consumer timeout could have done it.
    await connectedUntil(t, stalled.id, (STALL_S * 1000) / 2);
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(8 * 1024 * 1024 + 1024 * 1024 + 4096);
    provider.raw.ws.close();
  }, 30_000);
});

describe('the idle sweep', () => {
  let t: TestServer;
  const IDLE_S = 2;
  beforeAll(async () => {
    t = await startTestServer({ wsIdleTimeout: IDLE_S });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('closes a client that sends text pings but reads nothing', async () => {
    const pinger = await join(t, 'unreading-pinger');
    stopReading(pinger.raw);
    const timer = setInterval(() => pinger.raw.ws.send(JSON.stringify({ type: 'ping' })), 200);
    try {
      const waited = await connectedUntil(t, pinger.id, 6 * IDLE_S * 1000);
      expect(waited).toBeGreaterThanOrEqual(IDLE_S * 1000 - 500);
    } finally {
      clearInterval(timer);
    }
  }, 30_000);

  it('keeps a client that reads and only sends text pings (it answers the protocol pings)', async () => {
    const pinger = await join(t, 'reading-pinger');
    let pongs = 0;
    pinger.raw.ws.on('message', (data, isBinary) => {
      if (!isBinary && JSON.parse(data.toString()).type === 'pong') pongs++;
    });
    const timer = setInterval(() => pinger.raw.ws.send(JSON.stringify({ type: 'ping' })), 500);
    try {
      await sleep(3 * IDLE_S * 1000);
    } finally {
      clearInterval(timer);
    }
    expect(pongs).toBeGreaterThan(3);
    expect(t.server.websocket.bufferedAmount(pinger.id)).not.toBeNull();
    pinger.raw.ws.close();
  }, 30_000);
});
