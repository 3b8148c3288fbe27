import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import { decodeFrame, encodeFrame } from '@hypha/rpc';
import { rawSession, type RawSession } from './helpers/raw-socket.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// Issue #10 item 4: a consumer that stops reading used to freeze a provider for every other
// consumer (back-pressure paused the provider's socket for as long as the consumer did not
// read). Now the stalled consumer is cut off once it has kept the provider waiting for the
// slow-consumer timeout, and the provider serves the others again.

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ flowHighWaterMark: 64 * 1024, slowConsumerTimeout: 1 });
});
afterAll(async () => {
  await t?.close();
});

async function join(clientId: string): Promise<{ raw: RawSession; id: string }> {
  const raw = rawSession(t.wsUrl, { client_id: clientId });
  const info = await raw.first;
  return { raw, id: `${info.workspace as string}/${clientId}` };
}

describe('a consumer that stops reading', () => {
  it('is cut off after the slow-consumer timeout and the provider serves the others again', async () => {
    const provider = await join('provider');
    const stalled = await join('stalled');
    const other = await join('other');
    // The stalled consumer stops reading at the TCP level.
    const socket = (stalled.raw.ws as unknown as { _socket: Duplex })._socket;
    socket.pause();

    // The provider pushes 8 MiB to the stalled consumer: the server pauses the provider's socket.
    const blob = new Uint8Array(256 * 1024);
    for (let i = 0; i < 32; i++) provider.raw.ws.send(encodeFrame({ type: 'data', to: stalled.id }, { blob }));
    // Then it answers the other consumer, which must arrive once the stalled one is cut off.
    const started = Date.now();
    provider.raw.ws.send(encodeFrame({ type: 'hello', to: other.id }, { n: 1 }));
    for (;;) {
      const { main } = decodeFrame(await other.raw.nextBinary(8000));
      if (main.type === 'hello') break;
    }
    const waited = Date.now() - started;
    expect(waited).toBeLessThan(6000);
    // Reading again, the stalled consumer finds its connection gone.
    socket.resume();
    const closed = await stalled.raw.closed;
    expect([1013, 1006]).toContain(closed.code);
    provider.raw.ws.close();
    other.raw.ws.close();
  });
});
