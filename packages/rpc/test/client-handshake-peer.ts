import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A scripted WebSocket peer that speaks the Hypha handshake (spec §2.2–2.5), for
 * transport-level tests only (fatal replies, ping/pong, token refresh, reconnection). Full
 * client behaviour is tested against the real server in e2e/.
 */
export interface PeerConnection {
  socket: WebSocket;
  /** 0 for the first connection, 1 for the next, ... */
  index: number;
  /** The client's first (auth) frame, parsed. */
  auth: Record<string, unknown>;
  /** Text frames received after the auth frame, parsed. */
  controls: Array<Record<string, unknown>>;
  binaries: Uint8Array[];
}

export type PeerScript = (conn: PeerConnection) => void;

export interface HandshakePeer {
  url: string;
  connections: PeerConnection[];
  close(): Promise<void>;
}

/** Send a connection_info frame the way the reference server does. */
export function sendConnectionInfo(conn: PeerConnection, extra: Record<string, unknown> = {}): void {
  conn.socket.send(
    JSON.stringify({
      type: 'connection_info',
      hypha_version: '0.21.0-test',
      public_base_url: 'http://127.0.0.1',
      manager_id: 'manager-test',
      workspace: (conn.auth.workspace as string | undefined) ?? 'ws-test',
      client_id: conn.auth.client_id,
      reconnection_token: `reconnect-${conn.index}`,
      reconnection_token_life_time: 172800,
      user: { id: 'anonymous' },
      ...extra,
    }),
  );
}

/** Start a peer on 127.0.0.1, port 0; `script` runs once the auth frame arrived. */
export async function startHandshakePeer(script: PeerScript): Promise<HandshakePeer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const connections: PeerConnection[] = [];
  server.on('connection', (socket) => {
    let conn: PeerConnection | null = null;
    socket.on('message', (data, isBinary) => {
      if (!conn) {
        conn = {
          socket,
          index: connections.length,
          auth: JSON.parse(String(data)),
          controls: [],
          binaries: [],
        };
        connections.push(conn);
        script(conn);
        return;
      }
      if (isBinary) conn.binaries.push(new Uint8Array(data as Buffer));
      else conn.controls.push(JSON.parse(String(data)));
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    connections,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** Poll until `predicate` holds (event-driven tests, no timing assertions). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
