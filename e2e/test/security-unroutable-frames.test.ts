import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeMsgpack } from '@hypha/rpc';
import { rawSession } from './helpers/raw-socket.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// Issue #10 item 9: frames without a target used to write one error line each and leave the
// socket open. Now the first is logged, the rest of the window is not, and a peer that keeps
// sending them is cut off with 1008; other peers are not affected.

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('frames without a target', () => {
  it('are logged once and the abuser is closed with 1008; a neighbour keeps working', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const abuser = rawSession(t.wsUrl, { client_id: 'abuser' });
      const neighbour = rawSession(t.wsUrl, { client_id: 'neighbour' });
      const info = await neighbour.first;
      expect((await abuser.first).type).toBe('connection_info');
      const frame = encodeMsgpack({ type: 'method', method: 'x.y' });
      for (let i = 0; i < 1000; i++) abuser.ws.send(frame);
      const closed = await abuser.closed;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toMatch(/Too many unroutable frames/);
      const dropLines = errors.mock.calls.filter((c) => String(c[0]).includes('dropping frame from'));
      expect(dropLines.length).toBe(1);

      // The neighbour still routes: a frame to itself comes back stamped.
      const self = `${info.workspace as string}/neighbour`;
      neighbour.ws.send(encodeMsgpack({ type: 'ping-test', to: self }));
      const echoed = await neighbour.nextBinary(5000);
      expect(echoed.length).toBeGreaterThan(0);
      neighbour.ws.close();
    } finally {
      errors.mockRestore();
    }
  });
});
