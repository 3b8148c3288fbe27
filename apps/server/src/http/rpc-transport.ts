/**
 * The HTTP streaming transport `/rpc` (rpc-protocol §10): `GET` opens the downstream through the
 * same client gateway as `/ws`; each `POST` carries one upstream frame (or a control message)
 * for the stream `<workspace>/<client_id>`, or, without a stream, one stateless method call.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { decodeFrameHeader, randId } from '@hypha/rpc';
import { checkPermission, getUserWorkspace as personalWorkspace } from '@hypha/auth';
import { ConnectionRejectedError } from '@hypha/workspace';
import type { ClientSession } from '@hypha/workspace';
import { HttpError, badRequest, sendError } from './http-errors.js';
import { readBody } from './read-body.js';
import { authenticate, tokenFrom } from './request-auth.js';
import { RpcStream } from './rpc-stream.js';
import { guardCall, providerOf } from './call-guard.js';
import { HttpCallerPeer } from './http-caller.js';
import { toPlain } from './result-writer.js';
import type { HttpSurfaceDeps } from './surface-deps.js';

const CONNECTION_INFO_KEYS = ['type', 'workspace', 'client_id', 'manager_id', 'reconnection_token', 'reconnection_token_life_time', 'public_base_url'];

function rejectionStatus(err: ConnectionRejectedError): number {
  if (err.code === 1008) return 401;
  if (err.code === 1003) return 400;
  return 403;
}

function parseHeader(frame: Uint8Array): { header: Record<string, unknown>; headerEnd: number } {
  try {
    return decodeFrameHeader(frame);
  } catch (err) {
    throw badRequest(`Invalid message: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Tuning of the `/rpc` downstreams. */
export interface RpcStreamSettings {
  /** Seconds of silence before a keep-alive ping. */
  pingSeconds: number;
  /** Bytes waiting for a slow reader before its stream is ended. */
  maxBuffered: number;
  /** Seconds an ended stream may take to reach its client before the connection is dropped. */
  endTimeoutSeconds: number;
}

export class RpcTransport {
  readonly streams = new Map<string, RpcStream>();
  private closing = false;

  constructor(
    private readonly deps: HttpSurfaceDeps,
    private readonly settings: RpcStreamSettings,
  ) {}

  routes(): Router {
    const router = Router();
    router.get('/rpc', (req, res) => void this.open(req, res));
    router.post('/rpc', (req, res) => void this.post(req, res));
    return router;
  }

  private async open(req: Request, res: Response): Promise<void> {
    const { gateway } = this.deps.core;
    if (this.closing) {
      res.setHeader('Connection', 'close');
      sendError(res, new HttpError(503, 'Server is shutting down'));
      return;
    }
    const clientId = str(req.query.client_id) ?? randId();
    const stream = new RpcStream(res, this.deps.metrics, this.settings);
    const hello = {
      client_id: clientId,
      workspace: str(req.query.workspace),
      token: tokenFrom(req, false),
      reconnection_token: str(req.query.reconnection_token),
    };
    let session: ClientSession;
    try {
      // The reference answers 401 for any reconnection token it does not accept (wrong client
      // id or workspace, expired, forged), whatever the WebSocket close code would be.
      if (hello.reconnection_token) {
        try {
          await gateway.authenticate(hello);
        } catch (err) {
          if (err instanceof ConnectionRejectedError) throw new HttpError(401, err.reason, { cause: err });
          throw err;
        }
      }
      session = await gateway.connect(hello, { deliver: (frame) => stream.write(frame), close: (_code, reason) => stream.end(reason) });
    } catch (err) {
      stream.closed();
      if (err instanceof HttpError) sendError(res, err);
      else if (err instanceof ConnectionRejectedError) sendError(res, new HttpError(rejectionStatus(err), err.reason));
      else sendError(res, err, (e) => this.deps.log('error', '/rpc stream setup failed', { error: String(e) }));
      return;
    }
    stream.session = session;
    const key = session.id;
    const previous = this.streams.get(key);
    this.streams.set(key, stream);
    previous?.end(`Old connection for ${key} superseded`);
    this.deps.metrics.streamOpened();
    res.on('close', () => {
      stream.closed();
      this.deps.metrics.streamClosed();
      if (this.streams.get(key) === stream) this.streams.delete(key);
      session.disconnected().catch((e) => this.deps.log('error', 'client cleanup failed', { client: key, error: String(e) }));
    });
    res.status(200);
    res.setHeader('Content-Type', 'application/x-msgpack-stream');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    try {
      const info = await gateway.connectionInfo(session);
      const first: Record<string, unknown> = {};
      for (const k of CONNECTION_INFO_KEYS) first[k] = info[k];
      stream.sendControl(first);
    } catch (err) {
      stream.end(`Failed to establish connection: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async post(req: Request, res: Response): Promise<void> {
    try {
      const clientId = str(req.query.client_id);
      if (!clientId) throw badRequest('client_id is required');
      const workspace = str(req.query.workspace);
      const stream = workspace ? this.streams.get(`${workspace}/${clientId}`) : undefined;
      if (!stream?.session || !stream.isOpen) {
        await this.stateless(req, res, workspace, clientId);
        return;
      }
      // Who is posting is checked before the body is read (issue #10 item 8).
      await this.checkSameUser(req, stream.session);
      const body = await readBody(req, this.deps.bodyLimit);
      if (body.length === 0) throw badRequest('Empty request body');
      this.deps.metrics.streamFramesIn.inc();
      const frame = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      const { header, headerEnd } = parseHeader(frame);
      if (headerEnd === frame.byteLength && header.type === 'ping') {
        stream.sendControl({ type: 'pong' });
      } else if (headerEnd === frame.byteLength && header.type === 'refresh_token') {
        const token = await stream.session.refreshReconnectionToken();
        stream.sendControl({ type: 'reconnection_token', reconnection_token: token });
      } else {
        try {
          stream.session.route(frame);
        } catch (err) {
          throw badRequest(`Invalid message: ${err instanceof Error ? err.message : String(err)}`, err);
        }
      }
      res.status(200).end();
    } catch (err) {
      sendError(res, err, (e) => this.deps.log('error', '/rpc post failed', { error: String(e) }));
    }
  }

  /**
   * A POST without an open stream (rpc-protocol §10.3 "stateless" mode): one msgpack object
   * `{type: "method", to: "<client_id>:<service_id>", method, args?, kwargs?}` is called in the
   * workspace (query, else the token's, else the caller's own; `rw` needed) and answered with
   * `{"success": true, "result": …}`. A multi-segment body is an RPC frame for a stream that is
   * not here: 400, which hypha-rpc clients retry.
   */
  private async stateless(req: Request, res: Response, queryWorkspace: string | undefined, clientId: string): Promise<void> {
    const { core } = this.deps;
    const { user } = await authenticate(this.deps.auth, req, false);
    const own = personalWorkspace(user);
    const wid = user.scope?.current_workspace;
    // An anonymous caller acts in its own workspace (as the reference grants it there), never its token's.
    const ws = queryWorkspace ?? (!user.is_anonymous && wid && wid !== '*' ? wid : own);
    const allowed = checkPermission(user, ws, 'rw') || (user.is_anonymous && ws === own);
    if (!allowed) throw new HttpError(403, `Permission denied for workspace ${ws}`);
    const body = await readBody(req, this.deps.bodyLimit);
    if (body.length === 0) throw badRequest('Empty request body');
    const frame = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const { header, headerEnd } = parseHeader(frame);
    if (headerEnd !== frame.byteLength) {
      throw badRequest(`No open stream for ${queryWorkspace ?? '<no workspace>'}/${clientId}; open it with GET /rpc first`);
    }
    if (header.type !== 'method') throw badRequest("Stateless calls require type='method'");
    const to = typeof header.to === 'string' ? header.to : '';
    if (to.split(':').length !== 2) throw badRequest("Invalid target format, expected 'client_id:service_id'");
    const method = typeof header.method === 'string' ? header.method : '';
    const args = header.args ?? [];
    const kwargs = header.kwargs ?? {};
    if (!Array.isArray(args)) throw badRequest('Invalid stateless call: args must be a list');
    if (!kwargs || typeof kwargs !== 'object' || Array.isArray(kwargs)) throw badRequest('Invalid stateless call: kwargs must be a map');
    const serviceId = to.includes('/') ? to : `${ws}/${to}`;
    await core.manager.loadOrCreateWorkspace(user, ws);
    const peer = await HttpCallerPeer.open(core, user, ws, this.deps.callTimeout);
    try {
      const service = (await peer.getService(serviceId, this.deps.callTimeout)) as unknown as Record<string, unknown>;
      const fn = method && Object.prototype.hasOwnProperty.call(service, method) ? service[method] : undefined;
      if (typeof fn !== 'function') throw new HttpError(404, `Method '${method}' not found`);
      const callArgs = (await peer.rpc.decode(args)) as unknown[];
      if (Object.keys(kwargs).length) callArgs.push({ ...((await peer.rpc.decode(kwargs)) as object), _rkwargs: true });
      const result = await guardCall(core, Promise.resolve((fn as (...a: unknown[]) => unknown)(...callArgs)), {
        provider: providerOf(serviceId),
        what: `${serviceId}.${method}`,
        timeoutSeconds: this.deps.callTimeout,
      });
      res.status(200).json({ success: true, result: toPlain(result, true) });
    } finally {
      await peer.close();
    }
  }

  /**
   * A POST speaks for the stream's client: when the stream was opened with a token, the POST
   * must carry a token of the same user.
   */
  private async checkSameUser(req: Request, session: ClientSession): Promise<void> {
    if (session.user.is_anonymous && !tokenFrom(req, false)) return;
    const { user } = await authenticate(this.deps.auth, req, false);
    if (user.id !== session.user.id) {
      throw new HttpError(403, `Permission denied: this request's user does not own the stream ${session.id}`);
    }
  }

  close(): void {
    this.closing = true;
    for (const stream of this.streams.values()) stream.end('Server is shutting down');
    this.streams.clear();
  }
}
