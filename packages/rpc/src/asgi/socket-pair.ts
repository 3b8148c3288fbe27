/**
 * Two connected in-memory duplex streams standing in for a TCP connection, so Node's own HTTP
 * server and client can talk without a port. Writes on one side are reads on the other, with
 * backpressure: a write completes only once the peer's reader has room.
 */
import { Duplex } from 'node:stream';

export interface SocketAddress {
  address: string;
  port: number;
}

class PairSocket extends Duplex {
  peer!: PairSocket;
  /** The pending write of the peer, released when this side is read again. */
  private releaseWriter: (() => void) | null = null;
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  readonly remoteFamily = 'IPv4';
  readonly encrypted = false;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer.destroyed) {
      callback(new Error('The in-memory peer socket is closed'));
      return;
    }
    if (this.peer.push(chunk)) callback();
    else this.peer.releaseWriter = () => callback();
  }

  override _read(): void {
    const release = this.releaseWriter;
    this.releaseWriter = null;
    release?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const release = this.releaseWriter;
    this.releaseWriter = null;
    release?.();
    if (!this.peer.destroyed) this.peer.destroy();
    callback(error);
  }

  // The parts of net.Socket that Node's HTTP server and client call.
  setTimeout(_ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress ?? '127.0.0.1', family: 'IPv4', port: this.localPort ?? 0 };
  }
}

/** `[serverSide, clientSide]`; the server side reports `client` as its remote address. */
export function socketPair(client: SocketAddress, server: SocketAddress): [Duplex, Duplex] {
  const a = new PairSocket();
  const b = new PairSocket();
  a.peer = b;
  b.peer = a;
  a.remoteAddress = client.address;
  a.remotePort = client.port;
  a.localAddress = server.address;
  a.localPort = server.port;
  b.remoteAddress = server.address;
  b.remotePort = server.port;
  b.localAddress = client.address;
  b.localPort = client.port;
  return [a, b];
}
