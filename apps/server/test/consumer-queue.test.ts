import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from '@hypha/rpc';
import { startServer, type RunningServer, type StartServerOptions } from '../src/index.js';

// Each consumer has its own bounded outgoing queue (issue #10 item 4): a consumer that stops
// reading is cut off when its queue passes the limit, and the sender is never paused for it, so
// its other consumers keep getting their frames. A consumer that reads gets every frame, in order.

const CHUNK = 256 * 1024;
const CHUNKS = 200; // 50 MiB

let server: RunningServer | undefined;

async function start(options: StartServerOptions): Promise<RunningServer> {
  server = await startServer({ port: 0, quiet: true, ...options });
  return server;
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface RawClient {
  ws: WebSocket;
  id: string;
  frames: Uint8Array[];
  closed: Promise<number>;
}

async function connectRaw(srv: RunningServer, clientId: string): Promise<RawClient> {
  const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`);
  const frames: Uint8Array[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const info = await new Promise<{ workspace: string; client_id: string }>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data, isBinary) => {
      if (isBinary) frames.push(data as Buffer);
      else resolve(JSON.parse(data.toString()));
    });
    ws.on('open', () => ws.send(JSON.stringify({ client_id: clientId })));
  });
  return { ws, id: `${info.workspace}/${info.client_id}`, frames, closed };
}

function chunk(idx: number): Uint8Array {
  const bytes = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i += 512) bytes[i] = (idx * 7 + i / 512) & 0xff;
  bytes[CHUNK - 1] = idx & 0xff;
  return bytes;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-consumer outgoing queues', () => {
  it('cuts off a paused reader once its queue passes the limit; the sender is never paused and its other reader gets everything', async () => {
    const LIMIT = 4 * 1024 * 1024;
    const srv = await start({ wsQueueLimit: LIMIT, slowConsumerTimeout: 60 });
    const stalled = await connectRaw(srv, 'stalled-reader');
    const other = await connectRaw(srv, 'other-reader');
    const sender = await connectRaw(srv, 'fast-writer');
    stalled.ws.pause();
    for (let idx = 0; idx < CHUNKS; idx++) {
      sender.ws.send(encodeFrame({ type: 'chunk', to: stalled.id }, { idx, data: chunk(idx) }));
      if (idx % 10 === 0) sender.ws.send(encodeFrame({ type: 'note', to: other.id }, { idx }));
    }
    let maxBuffered = 0;
    for (let i = 0; i < 4000 && (other.frames.length < CHUNKS / 10 || sender.ws.bufferedAmount > 0); i++) {
      await sleep(5);
      maxBuffered = Math.max(maxBuffered, srv.websocket.bufferedAmount(stalled.id) ?? 0);
    }
    // The other reader got every note, in order, and the server read the sender's whole 50 MiB.
    expect(other.frames.map((f) => decodeFrame(f).extra?.idx)).toEqual(Array.from({ length: CHUNKS / 10 }, (_, i) => i * 10));
    expect(sender.ws.bufferedAmount).toBe(0);
    // The stalled reader held at most its limit plus one frame, then it was cut off.
    expect(maxBuffered).toBeLessThanOrEqual(LIMIT + CHUNK + 1024);
    for (let i = 0; i < 1000 && srv.websocket.bufferedAmount(stalled.id) !== null; i++) await sleep(10);
    expect(srv.websocket.bufferedAmount(stalled.id)).toBeNull();
    stalled.ws.resume();
    expect([1013, 1006]).toContain(await stalled.closed);
    // The sender is still connected and served.
    expect(srv.websocket.bufferedAmount(sender.id)).toBe(0);
    sender.ws.close();
    other.ws.close();
  }, 60_000);

  it('delivers a 50 MiB burst to a reader that reads, intact and in order', async () => {
    const srv = await start({ wsQueueLimit: 64 * 1024 * 1024 });
    const receiver = await connectRaw(srv, 'reader');
    const sender = await connectRaw(srv, 'writer');
    const sent = createHash('sha256');
    for (let idx = 0; idx < CHUNKS; idx++) {
      const data = chunk(idx);
      sent.update(data);
      sender.ws.send(encodeFrame({ type: 'chunk', to: receiver.id }, { idx, data }));
    }
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
    sender.ws.close();
    receiver.ws.close();
  }, 60_000);
});
