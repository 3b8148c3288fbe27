/**
 * Child process: the routing floor. A raw `ws` relay that does what any router must do per
 * frame: decode segment 1 (msgpack), normalise `to`, stamp `from`/`ws`/`user`, re-encode it and
 * forward it with segment 2 untouched to the target connection. With `--redis <url>` frames for
 * clients not connected here go through Redis pub/sub (one channel per client), like a cluster.
 */
import { decode, encode } from '@msgpack/msgpack';
import { createClient } from 'redis';
import { WebSocketServer, type WebSocket } from 'ws';
import { childArg, serveRunner } from '../harness/child-side.js';
import { msgpackEnd } from './msgpack-end.js';

interface Peer {
  socket: WebSocket;
  address: string;
  workspace: string;
  user: Record<string, unknown>;
}

const redisUrl = childArg('redis');
const prefix = childArg('prefix') ?? 'bench';
const publisher = redisUrl ? createClient({ url: redisUrl }) : null;
const subscriber = publisher ? publisher.duplicate() : null;
if (publisher && subscriber) await Promise.all([publisher.connect(), subscriber.connect()]);

const peers = new Map<string, Peer>();
const channel = (address: string): string => `${prefix}:targeted:${address}`;

function userInfo(id: string, workspace: string, clientId: string): Record<string, unknown> {
  return {
    id,
    roles: ['anonymous'],
    is_anonymous: true,
    scope: { current_workspace: workspace, workspaces: { [workspace]: 'a' }, client_id: clientId, extra_scopes: null },
    email: null,
    parent: null,
    expires_at: null,
    current_workspace: null,
  };
}

function route(sender: Peer, frame: Uint8Array): void {
  const end = msgpackEnd(frame);
  const main = decode(frame.subarray(0, end)) as Record<string, unknown>;
  const to = main.to;
  if (typeof to !== 'string') throw new Error(`relay: frame from ${sender.address} has no string "to"`);
  const target = to.includes('/') ? to : `${sender.workspace}/${to}`;
  main.to = target;
  main.from = sender.address;
  main.ws = sender.workspace;
  main.user = sender.user;
  const head = encode(main);
  const out = new Uint8Array(head.length + frame.length - end);
  out.set(head, 0);
  out.set(frame.subarray(end), head.length);
  deliver(target, out);
}

function deliver(target: string, out: Uint8Array): void {
  const local = peers.get(target);
  if (local) {
    local.socket.send(out, { binary: true });
    return;
  }
  if (publisher) {
    void publisher.publish(channel(target), Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    return;
  }
  process.stderr.write(`relay: no peer ${target}; frame dropped\n`);
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (socket) => {
  let peer: Peer | null = null;
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      if (!peer) throw new Error('relay: binary frame before handshake');
      route(peer, data as Buffer);
      return;
    }
    const hello = JSON.parse(String(data)) as { client_id?: string; workspace?: string };
    if (!hello.client_id) throw new Error('relay: handshake without client_id');
    const workspace = hello.workspace ?? 'bench';
    const address = `${workspace}/${hello.client_id}`;
    const registered: Peer = { socket, address, workspace, user: userInfo(`user-${hello.client_id}`, workspace, hello.client_id) };
    peer = registered;
    peers.set(address, registered);
    const announce = (): void => socket.send(JSON.stringify({ type: 'connection_info', workspace, client_id: hello.client_id }));
    if (subscriber) {
      void subscriber
        .subscribe(channel(address), (message: Buffer) => registered.socket.send(message, { binary: true }), true)
        .then(announce);
    } else {
      announce();
    }
  });
  socket.on('close', () => {
    if (!peer) return;
    peers.delete(peer.address);
    if (subscriber) void subscriber.unsubscribe(channel(peer.address));
  });
});

wss.on('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('ws-relay-server: expected a TCP address');
  serveRunner({ port: address.port }, { connections: () => wss.clients.size }, async () => {
    await new Promise<void>((done) => wss.close(() => done()));
    if (publisher && subscriber) await Promise.all([publisher.quit(), subscriber.quit()]);
  });
});
