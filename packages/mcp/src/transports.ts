/**
 * Serving an MCP `Server` over Node HTTP (duck-typed request/response, as the SDK's transports
 * take them): Streamable HTTP in stateless JSON mode, one server per request; and the older SSE
 * transport, whose sessions live as long as their event stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** Answers one Streamable HTTP request (`POST /mcp`) with a fresh stateless transport. */
export async function handleStreamableHttp(server: Server, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

interface SseSession<T> {
  transport: SSEServerTransport;
  server: Server;
  owner: T;
}

/** Open SSE sessions by id; `owner` is whatever the host checks on each posted message. */
export class SseSessions<T = unknown> {
  private readonly sessions = new Map<string, SseSession<T>>();

  get size(): number {
    return this.sessions.size;
  }

  /** Starts the event stream on `res`; `messagesPath` is where the client posts its messages. */
  async open(server: Server, messagesPath: string, res: ServerResponse, owner: T, onClose?: () => void): Promise<string> {
    const transport = new SSEServerTransport(messagesPath, res);
    const id = transport.sessionId;
    this.sessions.set(id, { transport, server, owner });
    res.on('close', () => {
      this.sessions.delete(id);
      void server.close();
      onClose?.();
    });
    await server.connect(transport);
    return id;
  }

  owner(sessionId: string): T | undefined {
    return this.sessions.get(sessionId)?.owner;
  }

  /** Hands a posted message to its session; false when there is no such session. */
  async post(sessionId: string, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    await session.transport.handlePostMessage(req, res, body);
    return true;
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.server.close()));
  }
}
