import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from '@hypha/rpc';
import { startServer, type RunningServer } from '../src/index.js';

// A slow reader must not make the server buffer a whole transfer: the server pauses reading
// from the sender while the receiver's socket is full, and delivers every frame, in order, once
// the receiver reads again.

const CHUNK = 256 * 1024;
const CHUNKS = 200; // 50 MiB
const HIGH_WATER = 512 * 1024;

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, flowHighWaterMark: HIGH_WATER });
});
afterAll(async () => {
  await server.close();
});

interface RawClient {
  ws: WebSocket;
  id: string;
  frames: Uint8Array[];
}

async function connectRaw(clientId: string): Promise<RawClient> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  const frames: Uint8Array[] = [];
  const info = await new Promise<{ workspace: string; client_id: string }>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data, isBinary) => {
      if (isBinary) frames.push(data as Buffer);
      else resolve(JSON.parse(data.toString()));
    });
    ws.on('open', () => ws.send(JSON.stringify({ client_id: clientId })));
  });
  return { ws, id: `${info.workspace}/${info.client_id}`, frames };
}

function chunk(idx: number): Uint8Array {
  const bytes = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i += 512) bytes[i] = (idx * 7 + i / 512) & 0xff;
  bytes[CHUNK - 1] = idx & 0xff;
  return bytes;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('back-pressure between sockets', () => {
  it('holds a bounded amount of a 50 MiB transfer for a paused reader, then delivers it intact and in order', async () => {
    const receiver = await connectRaw('slow-reader');
    const sender = await connectRaw('fast-writer');
    receiver.ws.pause();
    const sent = createHash('sha256');
    for (let idx = 0; idx < CHUNKS; idx++) {
      const data = chunk(idx);
      sent.update(data);
      sender.ws.send(encodeFrame({ type: 'chunk', to: receiver.id }, { idx, data }));
    }

    // Watch the server while the sender pushes and the receiver reads nothing.
    const senderHandle = server.core.router.getLocal(sender.id);
    expect(senderHandle).toBeDefined();
    let maxBuffered = 0;
    let throttledSeen = false;
    let lastPending = -1;
    let stableFor = 0;
    for (let i = 0; i < 2000 && stableFor < 20; i++) {
      await sleep(5);
      maxBuffered = Math.max(maxBuffered, server.websocket.bufferedAmount(receiver.id) ?? 0);
      throttledSeen ||= senderHandle!.isThrottled;
      const pending = sender.ws.bufferedAmount;
      stableFor = pending === lastPending ? stableFor + 1 : 0;
      lastPending = pending;
    }
    expect(throttledSeen).toBe(true);
    // Most of the transfer is still with the sender, not in the server.
    expect(sender.ws.bufferedAmount).toBeGreaterThan(20 * 1024 * 1024);
    // The server held at most the high-water mark plus a few chunks for the paused reader.
    expect(maxBuffered).toBeLessThanOrEqual(HIGH_WATER + 4 * CHUNK);

    receiver.ws.resume();
    for (let i = 0; i < 6000 && receiver.frames.length < CHUNKS; i++) await sleep(5);
    expect(receiver.frames.length).toBe(CHUNKS);
    const got = createHash('sha256');
    receiver.frames.forEach((frame, position) => {
      const { main, extra } = decodeFrame(frame);
      expect(main.from).toBe(sender.id);
      expect(main.to).toBe(receiver.id);
      expect(extra?.idx).toBe(position);
      got.update(extra?.data as Uint8Array);
    });
    expect(got.digest('hex')).toBe(sent.digest('hex'));
    expect(senderHandle!.isThrottled).toBe(false);
    sender.ws.close();
    receiver.ws.close();
  }, 60_000);
});
