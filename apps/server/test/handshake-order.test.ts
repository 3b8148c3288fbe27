import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../src/index.js';

// A client may send text frames right behind its hello (the Python client's ping task does after
// a reconnect). The reference reads nothing before it has sent `connection_info`, and the clients
// treat any other first message as fatal, so those frames must be answered only afterwards.

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true });
});

afterAll(async () => {
  await server?.close();
});

function textMessages(ws: WebSocket, count: number): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const got: Array<Record<string, unknown>> = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      got.push(JSON.parse(data.toString()));
      if (got.length === count) resolve(got);
    });
    ws.once('error', reject);
    ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
  });
}

describe('text frames sent before connection_info', () => {
  it('answers a ping that follows the hello only after connection_info', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const replies = textMessages(ws, 3);
    ws.send(JSON.stringify({ client_id: 'early-pinger' }));
    ws.send(JSON.stringify({ type: 'ping' }));
    ws.send(JSON.stringify({ type: 'refresh_token' }));
    const [first, second, third] = await replies;
    expect(first.type).toBe('connection_info');
    expect(second).toEqual({ type: 'pong' });
    expect(third.type).toBe('reconnection_token');
    expect(typeof third.reconnection_token).toBe('string');
    ws.close();
  });
});
