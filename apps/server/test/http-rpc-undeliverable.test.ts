import './setup-websocket.js';
import { Socket, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectToServer } from '@hypha/rpc';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { connectSilently } from './silent-client.js';

// A frame routed to an HTTP-streaming client whose `/rpc` stream can no longer take it must not
// vanish: the caller gets the synthetic reject (rpc-protocol §3.6) naming the target instead of
// waiting for its method timeout.

/** A TCP relay to the server whose connections can be frozen (a partitioned client) or cut. */
class Relay {
  private readonly pairs: Array<{ client: Socket; upstream: Socket }> = [];
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async open(targetPort: number): Promise<Relay> {
    const server = createServer();
    const relay = new Relay(server);
    server.on('connection', (client) => relay.relay(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private relay(client: Socket, targetPort: number): void {
    const upstream = new Socket();
    upstream.connect(targetPort, '127.0.0.1');
    // A failure on one side ends the other: the relay is the network between them.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    this.pairs.push({ client, upstream });
  }

  /** Nothing passes any more in either direction, and nothing is closed: the client vanished. */
  freeze(): void {
    for (const { client, upstream } of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
      client.unpipe(upstream);
      client.pause();
    }
  }

  /** Drops every connection at once (the client's machine went away). */
  async cut(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const MiB = 1024 * 1024;
let server: RunningServer | undefined;
let relay: Relay | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await relay?.cut();
  relay = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server?.close();
  server = undefined;
});

/** Settles to the error text, or `"resolved: <value>"`. */
const outcome = (p: Promise<unknown>): Promise<string> => p.then((v) => `resolved: ${String(v)}`, (e: unknown) => String(e));

/** A @hypha/rpc client on the HTTP transport, reaching the server through `relay`, with one service. */
async function frozenTarget(r: Relay, clientId: string): Promise<{ id: string }> {
  const target = await connectToServer({ server_url: r.url, transport: 'http', client_id: clientId, logger: null });
  cleanups.push(() => target.disconnect());
  await target.registerService({ id: 'sink', config: { visibility: 'public' }, size: (b: Uint8Array) => b.length, hello: () => 'hi' });
  return { id: `${target.config.workspace}/${clientId}` };
}

/** The npm hypha-rpc WebSocket client calling the target's `sink` service. */
async function callerOf(targetId: string): Promise<any> {
  const caller = await connectSilently({ server_url: server!.url, method_timeout: 20, long_message_chunk_size: 4 * MiB });
  cleanups.push(() => caller.disconnect());
  const sink = await caller.getService(`${targetId}:sink`);
  expect(await sink.hello()).toBe('hi');
  return sink;
}

/** Sends 1 MiB calls to a frozen client until the first one settles (the server recycled its stream). */
async function overflow(sink: any): Promise<string> {
  const calls = Array.from({ length: 40 }, () => outcome(sink.size(new Uint8Array(MiB))));
  return Promise.race(calls);
}

describe('an /rpc stream that can no longer take frames', () => {
  it('rejects calls to a frozen HTTP client as soon as the server ended its stream (npm hypha-rpc caller)', async () => {
    server = await startServer({ port: 0, quiet: true, httpStreamMaxBuffered: MiB });
    relay = await Relay.open(server.port);
    const target = await frozenTarget(relay, 'frozen-target');
    const sink = await callerOf(target.id);

    relay.freeze();
    // Frames pile up in the server for the frozen client until it recycles the stream as a slow
    // reader (more than 1 MiB waiting); every frame after that must come back as a reject.
    expect(await overflow(sink)).toContain(`Target peer ${target.id} is not connected`);
    expect(await outcome(sink.hello())).toContain(`Target peer ${target.id} is not connected`);
  });

  it('releases a frozen client whose ended stream cannot finish, so its services go away', async () => {
    server = await startServer({ port: 0, quiet: true, httpStreamMaxBuffered: MiB, httpStreamPingInterval: 0.5 });
    relay = await Relay.open(server.port);
    const target = await frozenTarget(relay, 'stuck-target');
    const sink = await callerOf(target.id);
    const listed = async () => JSON.stringify(await fetch(`${server!.url}/${target.id.split('/')[0]}/services`).then((r) => r.json()));
    expect(await listed()).toContain('stuck-target:sink');

    relay.freeze();
    expect(await overflow(sink)).toContain(`Target peer ${target.id} is not connected`);
    // The end never reaches the frozen client; the server gives up on the stream after twice the
    // ping interval and the client's services are removed.
    const sessions = () => server!.core.gateway.allSessions().map((s) => s.id);
    await expect.poll(sessions, { timeout: 10_000 }).not.toContain(target.id);
    expect(await listed()).not.toContain('stuck-target:sink');
  });

  it('rejects calls to an HTTP client whose connection dropped', async () => {
    server = await startServer({ port: 0, quiet: true });
    relay = await Relay.open(server.port);
    const target = await frozenTarget(relay, 'dropped-target');
    const sink = await callerOf(target.id);

    await relay.cut();
    relay = undefined;
    // Frames already on their way when a connection drops are lost with it (as over WebSocket);
    // once the server saw the drop, calls fail at once.
    const sessions = () => server!.core.gateway.allSessions().map((s) => s.id);
    await expect.poll(sessions).not.toContain(target.id);
    expect(await outcome(sink.hello())).toContain(`Target peer ${target.id} is not connected`);
  });
});
