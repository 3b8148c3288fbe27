/**
 * In-memory transports: an {@link RPCConnection} whose outbound frames go to a callback and
 * whose inbound frames are pushed with `deliver()`, and a linked pair of them.
 */
import type { ConnectionInfo, RPCConnection } from '../connection.js';
import { RpcError } from '../errors.js';

/** Options of {@link createMemoryConnection}. */
export interface MemoryConnectionOptions {
  /** Receives every frame the attached peer sends. May be async; its rejection fails the send. */
  send: (frame: Uint8Array) => void | Promise<void>;
  /** Manager id announced to the attached peer (`null`: no workspace manager). */
  manager_id?: string | null;
  /** Workspace of the attached peer, read by hypha-rpc's service registration. */
  workspace?: string;
  /** Where failures of inbound handlers are reported. @default console.error */
  onError?: (error: unknown) => void;
}

/**
 * An RPCConnection held in memory. Frames are handed over as they are (not copied): senders
 * must not mutate a frame after sending it.
 */
export class MemoryConnection implements RPCConnection {
  manager_id: string | null;
  workspace?: string;
  readonly #send: (frame: Uint8Array) => void | Promise<void>;
  readonly #onError: (error: unknown) => void;
  #messageHandlers: Array<(data: Uint8Array) => void> = [];
  #connectedHandlers: Array<(info: ConnectionInfo) => void | Promise<void>> = [];
  #disconnectedHandlers: Array<(reason?: string) => void> = [];
  /** Frames that arrived before any message handler was attached. */
  #backlog: Uint8Array[] = [];
  #closed = false;

  constructor(options: MemoryConnectionOptions) {
    this.#send = options.send;
    this.manager_id = options.manager_id ?? null;
    this.workspace = options.workspace;
    this.#onError = options.onError ?? ((err) => console.error('[hypha-rpc] memory connection handler failed', err));
  }

  /** True after {@link disconnect} or {@link close}. */
  get closed(): boolean {
    return this.#closed;
  }

  on_message(handler: (data: Uint8Array) => void): void {
    this.#messageHandlers.push(handler);
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const frame of backlog) this.#dispatch(frame);
  }

  on_connected(handler: (info: ConnectionInfo) => void | Promise<void>): void {
    this.#connectedHandlers.push(handler);
  }

  on_disconnected(handler: (reason?: string) => void): void {
    this.#disconnectedHandlers.push(handler);
  }

  emit_message(data: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new RpcError('CONNECTION_CLOSED', 'Connection is closed'));
    try {
      return Promise.resolve(this.#send(data));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Pushes an inbound frame to the attached peer (synchronously). */
  deliver(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#messageHandlers.length === 0) {
      this.#backlog.push(frame);
      return;
    }
    this.#dispatch(frame);
  }

  #dispatch(frame: Uint8Array): void {
    for (const handler of this.#messageHandlers) {
      try {
        handler(frame);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  /**
   * Announces a (re)connection: sets `manager_id` from `info` and runs the on_connected
   * handlers (an RPC re-registers its services there). Resolves when they are done.
   */
  async connect(info: ConnectionInfo = {}): Promise<void> {
    if (info.manager_id !== undefined) this.manager_id = info.manager_id;
    if (typeof info.workspace === 'string') this.workspace = info.workspace;
    await Promise.all(this.#connectedHandlers.map((h) => h(info)));
  }

  /** Closes from the transport side: later sends fail, on_disconnected handlers run. */
  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const handler of this.#disconnectedHandlers) handler(reason);
  }

  disconnect(reason?: string): void {
    this.close(reason ?? 'disconnected');
  }
}

/** Creates a {@link MemoryConnection} (the server attaches its in-process peers with it). */
export function createMemoryConnection(options: MemoryConnectionOptions): MemoryConnection {
  return new MemoryConnection(options);
}

/** Options of {@link createLinkedPair}. */
export interface LinkedPairOptions {
  manager_id?: string | null;
  workspace?: string;
}

/**
 * Two connections that deliver each other's frames asynchronously (in order, on the microtask
 * queue). Closing one side closes the other.
 *
 * @example
 * ```ts
 * const [a, b] = createLinkedPair();
 * const alice = new RPC(a, { client_id: 'alice', workspace: 'ws' });
 * const bob = new RPC(b, { client_id: 'bob', workspace: 'ws' });
 * ```
 */
export function createLinkedPair(options: LinkedPairOptions = {}): [MemoryConnection, MemoryConnection] {
  const peers: MemoryConnection[] = [];
  const link = (to: number) => (frame: Uint8Array) => {
    queueMicrotask(() => peers[to]!.deliver(frame));
  };
  const a = new MemoryConnection({ ...options, send: link(1) });
  const b = new MemoryConnection({ ...options, send: link(0) });
  peers.push(a, b);
  const closeBoth = (reason?: string): void => {
    a.close(reason);
    b.close(reason);
  };
  a.on_disconnected(closeBoth);
  b.on_disconnected(closeBoth);
  return [a, b];
}
