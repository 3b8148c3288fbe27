import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode, encode } from '@msgpack/msgpack';
import { encodeStreamFrame } from '../src/http/frame-stream.js';

/**
 * A minimal HTTP peer for transport-level tests of the HTTP streaming connection (spec §10):
 * scripted `GET /rpc` streams, recorded `POST /rpc` bodies. Full behaviour is tested against the
 * real server in e2e/.
 */
export interface StreamRequest {
  index: number;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  res: ServerResponse;
}

export interface HttpPeer {
  base: string;
  streams: StreamRequest[];
  posts: Array<{ query: URLSearchParams; body: Uint8Array }>;
  close(): Promise<void>;
}

export type StreamScript = (stream: StreamRequest) => void;
export type PostScript = (index: number) => number;

export function connectionInfo(index: number, workspace = 'ws-http'): Uint8Array {
  return encodeStreamFrame(
    encode({
      type: 'connection_info',
      workspace,
      client_id: 'c-http',
      manager_id: 'manager-http',
      reconnection_token: `rt-${index}`,
      reconnection_token_life_time: 172800,
      public_base_url: 'http://127.0.0.1',
    }),
  );
}

function isRefreshRequest(body: Uint8Array): boolean {
  try {
    return (decode(body) as { type?: string })?.type === 'refresh_token';
  } catch {
    return false; // a two-segment RPC frame
  }
}

export async function startHttpPeer(onStream: StreamScript, postStatus: PostScript = () => 200): Promise<HttpPeer> {
  const streams: StreamRequest[] = [];
  const posts: HttpPeer['posts'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname !== '/rpc') {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'GET') {
      const stream = { index: streams.length, query: url.searchParams, headers: req.headers, res };
      streams.push(stream);
      onStream(stream);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = new Uint8Array(Buffer.concat(chunks));
      const status = postStatus(posts.length);
      posts.push({ query: url.searchParams, body });
      if (status === 200 && isRefreshRequest(body)) {
        streams.at(-1)!.res.write(encodeStreamFrame(encode({ type: 'reconnection_token', reconnection_token: 'refreshed' })));
      }
      res.writeHead(status).end(status === 200 ? '' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    streams,
    posts,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function openStream(stream: StreamRequest): void {
  stream.res.writeHead(200, { 'Content-Type': 'application/x-msgpack-stream' });
}

