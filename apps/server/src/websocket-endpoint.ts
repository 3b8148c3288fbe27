/**
 * The `/ws` endpoint (rpc-protocol §2): JSON hello → `connection_info`, then binary frames are
 * routed and text frames are control messages. Close codes and reasons follow the reference.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import type { RawData } from 'ws';
import { ConnectionRejectedError } from '@hypha/workspace';
import type { ClientGateway, ClientSession } from '@hypha/workspace';
import { ConsumerQueue, cutOff } from './websocket-consumer-queue.js';

export interface WebsocketEndpointOptions {
  gateway: ClientGateway;
  /**
   * Seconds without a sign of life before the socket is closed (default 600). Signs of life are
   * frames other than text pings, and pongs to the protocol pings the server sends every sweep,
   * so a client that keeps sending text pings but reads nothing is not kept alive.
   */
  idleTimeout?: number;
  /** Milliseconds to wait for the hello (default 5000). */
  authTimeoutMs?: number;
  /** Largest accepted inbound frame in bytes (default 16 MiB). */
  maxPayload?: number;
  /** Most bytes waiting to be sent to one socket; a consumer past it is cut off with 1013 (default 32 MiB). */
  queueLimit?: number;
  /** Queue size above which a socket must make progress within `slowConsumerMs` (default 512 KiB). */
  queueHighWaterMark?: number;
  /** Milliseconds a consumer's queue may stay above the high-water mark with nothing read (default 30 s). */
  slowConsumerMs?: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** The token of the upgrade request (a custom `get_token`), used when the hello carries none. */
  requestToken?: (req: IncomingMessage) => Promise<string | null>;
}

const LEGACY_REASON =
  'Connection rejected, please  upgrade to `hypha-rpc` which pass the authentication information in the first message';

/** WebSocket close reasons are limited to 123 bytes. */
function clip(reason: string): string {
  const buf = Buffer.from(reason);
  if (buf.length <= 123) return reason;
  return buf.subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, '') + '...';
}

/** A Buffer is already a Uint8Array: the usual case costs nothing. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

const BINARY = { binary: true } as const;
const FIRST_FRAGMENT = { binary: true, fin: false } as const;

/** When a connection last sent anything (for the idle sweep); updated in place per frame. */
interface Seen {
  at: number;
}

export class WebsocketEndpoint {
  readonly wss: WebSocketServer;
  private readonly gateway: ClientGateway;
  private readonly idleTimeoutMs: number;
  private readonly idleSeconds: number;
  private readonly authTimeoutMs: number;
  private readonly queueOptions: { limit?: number; highWaterMark?: number; stallMs?: number };
  private readonly log: WebsocketEndpointOptions['log'];
  private readonly requestToken: WebsocketEndpointOptions['requestToken'];
  private readonly lastSeen = new Map<WebSocket, Seen>();
  /** Open sockets by `<workspace>/<client_id>`. */
  private readonly sockets = new Map<string, WebSocket>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private stopping = false;

  constructor(o: WebsocketEndpointOptions) {
    this.requestToken = o.requestToken;
    this.gateway = o.gateway;
    this.idleSeconds = o.idleTimeout ?? 600;
    this.idleTimeoutMs = this.idleSeconds * 1000;
    this.authTimeoutMs = o.authTimeoutMs ?? 5000;
    this.queueOptions = { limit: o.queueLimit, highWaterMark: o.queueHighWaterMark, stallMs: o.slowConsumerMs };
    this.log = o.log;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 16 * 1024 * 1024, perMessageDeflate: false });
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.onConnection(ws, req));
    this.sweeper = setInterval(() => this.sweepIdle(), Math.min(60_000, Math.max(1000, this.idleTimeoutMs / 2)));
    this.sweeper.unref();
  }

  private closeWithError(ws: WebSocket, code: number, reason: string): void {
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: 'error', message: reason }));
      ws.close(code, clip(reason));
    } else if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    }
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const [ws, seen] of this.lastSeen) {
      if (now - seen.at > this.idleTimeoutMs) {
        this.lastSeen.delete(ws);
        const reason = `Idle timeout (${this.idleSeconds}s)`;
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'error', message: reason }));
        // A client that does not read never answers the close handshake either.
        cutOff(ws, 1001, reason);
      } else if (ws.readyState === WebSocket.OPEN) {
        // Answered by every WebSocket stack that reads its socket (the pong counts as life).
        ws.ping();
      }
    }
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const key of ['workspace', 'client_id', 'token', 'reconnection_token']) {
      if (url.searchParams.has(key)) {
        this.closeWithError(ws, 1008, LEGACY_REASON);
        return;
      }
    }
    const seen: Seen = { at: Date.now() };
    this.lastSeen.set(ws, seen);
    ws.on('pong', () => {
      seen.at = Date.now();
    });
    let session: ClientSession | null = null;
    let phase: 'hello' | 'connecting' | 'ready' | 'closed' = 'hello';
    // Frames (binary) and control messages (text) that arrive behind the hello, kept in order until
    // `connection_info` is out: clients treat any other first reply as fatal.
    const early: Array<Uint8Array | string> = [];
    const authTimer = setTimeout(() => {
      if (phase === 'hello') this.closeWithError(ws, 1008, 'Authentication payload timeout');
    }, this.authTimeoutMs);

    ws.on('close', () => {
      clearTimeout(authTimer);
      this.lastSeen.delete(ws);
      phase = 'closed';
      if (session && this.sockets.get(session.id) === ws) this.sockets.delete(session.id);
      if (session) {
        session.disconnected().catch((err) => this.log('error', 'client cleanup failed', { client: session?.id, error: String(err) }));
      }
    });
    ws.on('error', (err) => this.log('warn', 'websocket error', { error: String(err) }));

    const routeFrame = (frame: Uint8Array): void => {
      try {
        session!.route(frame);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        this.log('warn', 'closing client after an invalid frame', { client: session?.id, error: detail });
        this.closeWithError(ws, 1003, `Invalid message: ${detail}`);
      }
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Text frames after the hello count as life in onText, except pings.
      if (isBinary || phase === 'hello') seen.at = Date.now();
      if (phase === 'hello') {
        clearTimeout(authTimer);
        phase = 'connecting';
        let hello: unknown;
        try {
          if (isBinary) throw new Error('binary hello');
          hello = JSON.parse(data.toString());
          if (typeof hello !== 'object' || hello === null || Array.isArray(hello)) throw new Error('not an object');
        } catch {
          this.closeWithError(ws, 1003, 'Failed to decode authentication information');
          return;
        }
        void this.establish(ws, hello as Record<string, unknown>, req).then(
          (s) => {
            if (!s) return;
            if (phase === 'closed') {
              s.disconnected().catch((err) => this.log('error', 'client cleanup failed', { error: String(err) }));
              return;
            }
            session = s;
            phase = 'ready';
            this.sockets.set(s.id, ws);
            for (const f of early.splice(0)) {
              if (typeof f === 'string') this.onText(ws, s, f, seen);
              else routeFrame(f);
            }
          },
        );
        return;
      }
      if (!isBinary) {
        if (phase === 'connecting') early.push(data.toString());
        else if (phase === 'ready') this.onText(ws, session, data.toString(), seen);
        return;
      }
      const frame = toBytes(data);
      if (phase === 'connecting') early.push(frame);
      else if (phase === 'ready') routeFrame(frame);
    });
  }

  private async establish(ws: WebSocket, hello: Record<string, unknown>, req: IncomingMessage): Promise<ClientSession | null> {
    let session: ClientSession;
    const queue = new ConsumerQueue(ws, {
      ...this.queueOptions,
      onCutOff: (reason) => this.log('warn', 'cut off a slow consumer', { client: session?.id, reason }),
    });
    try {
      if (!hello.token && !hello.reconnection_token && this.requestToken) {
        const token = await this.requestToken(req);
        if (token) hello = { ...hello, token };
      }
      session = await this.gateway.connect(hello, {
        deliver: (frame) => {
          // A closing socket, or a consumer whose queue is full, cannot take the frame: report it
          // so the caller is rejected (§3.6).
          if (ws.readyState !== WebSocket.OPEN || !queue.admit()) return false;
          ws.send(frame, BINARY);
          queue.queued();
          return true;
        },
        // A large payload goes out as it arrived, after the stamped header, in one message of two
        // WebSocket fragments (RFC 6455 §5.4), instead of being copied into a new frame.
        deliverParts: (head, rest) => {
          if (ws.readyState !== WebSocket.OPEN || !queue.admit()) return false;
          ws.send(head, FIRST_FRAGMENT);
          ws.send(rest, BINARY);
          queue.queued();
          return true;
        },
        close: (code, reason) => this.closeWithError(ws, code, reason),
      });
    } catch (err) {
      if (err instanceof ConnectionRejectedError) {
        this.log('info', 'connection rejected', { reason: err.reason });
        this.closeWithError(ws, err.code, err.reason);
      } else {
        const detail = err instanceof Error ? err.message : String(err);
        this.log('error', 'connection setup failed', { error: detail });
        this.closeWithError(ws, 1001, `Failed to establish connection: ${detail}`);
      }
      return null;
    }
    try {
      const info = await this.gateway.connectionInfo(session);
      if (ws.readyState !== WebSocket.OPEN) {
        await session.disconnected();
        return null;
      }
      ws.send(JSON.stringify(info));
    } catch (err) {
      await session.disconnected();
      this.closeWithError(ws, 1001, `Failed to establish connection: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
    return session;
  }

  private onText(ws: WebSocket, session: ClientSession | null, text: string, seen: Seen): void {
    if (text.length > 1000) return;
    let msg: { type?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      this.log('warn', 'ignoring a text frame that is not JSON', { client: session?.id });
      return;
    }
    // A text ping is no sign of life: a client that sends pings but never reads must still time
    // out (it answers no protocol ping).
    if (msg?.type !== 'ping') seen.at = Date.now();
    if (msg?.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong' }));
    } else if (msg?.type === 'refresh_token' && session) {
      session.refreshReconnectionToken().then(
        (token) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'reconnection_token', reconnection_token: token }));
        },
        (err) => this.log('error', 'failed to refresh the reconnection token', { client: session.id, error: String(err) }),
      );
    }
  }

  /** Number of sockets that completed the handshake and are still open. */
  get connectedCount(): number {
    return this.sockets.size;
  }

  /** Bytes queued for sending on a client's socket (`<workspace>/<client_id>`), or null when it is not open. */
  bufferedAmount(clientFullId: string): number | null {
    const ws = this.sockets.get(clientFullId);
    return ws?.readyState === WebSocket.OPEN ? ws.bufferedAmount : null;
  }

  /**
   * Drops a client's socket without a close handshake (as a network failure would); the client's
   * `close` handling then runs as for any lost connection. Returns false when it is not connected.
   */
  terminate(clientFullId: string): boolean {
    const ws = this.sockets.get(clientFullId);
    if (!ws) return false;
    ws.terminate();
    return true;
  }

  /** Closes a client's socket with a close code and reason; false when it is not connected here. */
  closeClient(clientFullId: string, code: number, reason: string): boolean {
    const ws = this.sockets.get(clientFullId);
    if (!ws) return false;
    ws.close(code, clip(reason));
    return true;
  }

  handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    if (this.stopping) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Closes every socket with 1001 so clients reconnect elsewhere. */
  async close(reason = 'Server is shutting down'): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweeper);
    const closing: Promise<void>[] = [];
    for (const ws of this.wss.clients) {
      closing.push(new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1001, reason);
        setTimeout(() => { ws.terminate(); resolve(); }, 1000).unref();
      }));
    }
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
