/**
 * Caller side of a call (spec §4.2–4.4): turns an encoded method into a JS function that sends
 * the call frame, keeps the session with resolve/reject/heartbeat, and enforces the timeout.
 */
import type { RpcInternals } from '../rpc-internals.js';
import type { EncodedMethod, RemoteFunction } from '../rpc-types.js';
import { encodeFrame, type FrameHeader } from '../codec/frame.js';
import { RpcError, toError } from '../errors.js';
import { isPlainData, isPlainObject } from '../encoding/guards.js';
import { sessionHasObjects } from '../session/object-store.js';
import { randId } from '../utils/rand-id.js';
import { Timer } from '../utils/timer.js';
import { sendChunks } from './chunk-sender.js';

/** Builds the callable proxy of a remote function. */
export function makeRemoteMethod(
  rpc: RpcInternals,
  encoded: EncodedMethod,
  remoteParent?: string | null,
  localParent?: string | null,
  remoteWorkspace?: string | null,
  localWorkspace?: string | null,
): RemoteFunction {
  const target = encoded._rtarget;
  // A bare client id is relative to the sender's workspace (spec §5.10).
  if (remoteWorkspace && !target.includes('/') && !target.startsWith('*/') && remoteWorkspace !== target) {
    encoded._rtarget = `${remoteWorkspace}/${target}`;
  }
  const methodId = encoded._rmethod;
  const call = (...args: unknown[]): Promise<any> =>
    callRemote(rpc, encoded, args, remoteParent ?? null, localParent ?? null, localWorkspace ?? null);
  const fn = call as RemoteFunction;
  const parts = methodId.split('.');
  let name = encoded._rname || parts[parts.length - 1]!;
  if (name.includes('#')) name = name.split('#')[1]!;
  fn.__rpc_object__ = encoded;
  fn.__name__ = name;
  fn.__doc__ = encoded._rdoc || `Remote method: ${methodId}`;
  fn.__schema__ = encoded._rschema;
  // Chunk uploads must never be chunked themselves.
  fn.__no_chunk__ = methodId === 'services.built-in.message_cache.append';
  return fn;
}

function promiseCallback(rpc: RpcInternals, sessionId: string, name: string, localWorkspace: string | null) {
  return {
    _rtype: 'method',
    _rtarget: localWorkspace ? `${localWorkspace}/${rpc.clientId}` : rpc.clientId,
    _rmethod: `${sessionId}.${name}`,
    _rpromise: false,
  };
}

/** `<workspace>/<client>` of this peer as callers put it in `from`. */
function ownId(rpc: RpcInternals): string {
  return rpc.localWorkspace ? `${rpc.localWorkspace}/${rpc.clientId}` : rpc.clientId;
}

function sendFailed(err: unknown, target: string, methodId: string): RpcError {
  return new RpcError(
    'SEND_FAILED',
    `Failed to send the request when calling method (${target}:${methodId}), error: ${toError(err).message}`,
    { cause: err },
  );
}

/** Sends a frame, as chunks when it is larger than the peer's chunk size. */
function sendCallFrame(rpc: RpcInternals, frame: Uint8Array, target: string, methodId: string, remoteParent: string | null): Promise<void> {
  // Chunk uploads must never be chunked themselves.
  return frame.byteLength <= rpc.chunkSize + 1024 || methodId === 'services.built-in.message_cache.append'
    ? rpc.sendFrame(frame)
    : sendChunks(rpc, frame, target, remoteParent);
}

/**
 * Sends a call that expects no reply and whose arguments are plain data (no callbacks to keep):
 * no session is needed. Resolves with `null` once sent. Promise replies (`resolve`/`reject` of
 * a caller's session) take this path.
 */
export function sendWithoutReply(
  rpc: RpcInternals,
  target: string,
  methodId: string,
  args: unknown[],
  remoteParent: string | null,
  withKwargs = false,
): Promise<null> {
  let frame: Uint8Array;
  try {
    const main: FrameHeader = { type: 'method', from: ownId(rpc), to: target, method: methodId };
    if (remoteParent) main.parent = remoteParent;
    const extra: Record<string, unknown> = { args };
    if (withKwargs) extra.with_kwargs = true;
    frame = encodeFrame(main, extra);
  } catch (err) {
    return Promise.reject(toError(err));
  }
  return sendCallFrame(rpc, frame, target, methodId, remoteParent).then(
    () => null,
    (err: unknown) => {
      throw sendFailed(err, target, methodId);
    },
  );
}

function callRemote(
  rpc: RpcInternals,
  encoded: EncodedMethod,
  rawArgs: unknown[],
  remoteParent: string | null,
  localParent: string | null,
  localWorkspace: string | null,
): Promise<any> {
  try {
    // Read at call time so that retargeting `_rtarget` (after reconnection) takes effect.
    const target = encoded._rtarget;
    const methodId = encoded._rmethod;
    const withPromise = encoded._rpromise || false;

    let withKwargs = false;
    const last = rawArgs[rawArgs.length - 1];
    if (isPlainObject(last) && last._rkwargs) {
      const { _rkwargs: _drop, ...kwargs } = last;
      rawArgs = [...rawArgs.slice(0, -1), kwargs];
      withKwargs = true;
    }
    const plain = isPlainData(rawArgs);
    if (!withPromise && plain) return sendWithoutReply(rpc, target, methodId, rawArgs, remoteParent, withKwargs);

    const sessionId = localParent ? `${localParent}.${randId()}` : randId();
    rpc.store.setTarget(sessionId, target);
    const call: CallState = { rpc, encoded, target, methodId, withPromise, withKwargs, sessionId, remoteParent, localWorkspace };
    if (plain) return sendCall(call, rawArgs);
    return rpc.encode(rawArgs, sessionId, localWorkspace).then(
      (args) => sendCall(call, args),
      (err: unknown) => {
        rpc.store.deleteSession(sessionId);
        throw err;
      },
    );
  } catch (err) {
    return Promise.reject(err);
  }
}

interface CallState {
  rpc: RpcInternals;
  encoded: EncodedMethod;
  target: string;
  methodId: string;
  withPromise: boolean | '*';
  withKwargs: boolean;
  sessionId: string;
  remoteParent: string | null;
  localWorkspace: string | null;
}

function sendCall(call: CallState, args: unknown): Promise<any> {
  const { rpc, encoded, target, methodId, withPromise, sessionId, remoteParent, localWorkspace } = call;
  const main: FrameHeader = { type: 'method', from: ownId(rpc), to: target, method: methodId };
  if (remoteParent) main.parent = remoteParent;
  const extra: Record<string, unknown> = { args };
  if (call.withKwargs) extra.with_kwargs = true;

  return new Promise<any>((resolve, reject) => {
    let timer: Timer | null = null;
    if (withPromise) {
      const session = rpc.store.getSession(sessionId, true);
      main.session = sessionId;
      const timeout = methodId.includes('_rintf_') ? rpc.rintfTimeout : rpc.methodTimeout;
      const t = new Timer(rpc.timers, timeout, () => {
        rpc.store.deleteSession(sessionId);
        reject(
          new RpcError(
            'TIMEOUT',
            `Method call timed out: ${target}:${methodId}, context: method: ${methodId}, docs: ${encoded._rdoc ?? null} (no reply or heartbeat within ${timeout}s)`,
          ),
        );
      });
      timer = t;
      session._promise = true;
      session.timer = t;
      session.resolve = (value?: unknown) => {
        rpc.store.deleteSession(sessionId);
        resolve(value);
      };
      session.reject = (err?: unknown) => {
        rpc.store.deleteSession(sessionId);
        reject(err instanceof Error ? err : toError(err));
      };
      session.heartbeat = () => t.reset();
      if (withPromise === true) {
        extra.promise = {
          heartbeat: promiseCallback(rpc, sessionId, 'heartbeat', localWorkspace),
          interval: timeout / 2,
          resolve: promiseCallback(rpc, sessionId, 'resolve', localWorkspace),
          reject: promiseCallback(rpc, sessionId, 'reject', localWorkspace),
        };
      } else if (withPromise === '*') {
        extra.promise = '*';
        extra.t = timeout / 2;
      } else {
        rpc.store.deleteSession(sessionId);
        reject(new RpcError('INVALID_ARGUMENT', `Unsupported promise type: ${String(withPromise)}`));
        return;
      }
    } else {
      rpc.store.getSession(sessionId, true);
    }

    let frame: Uint8Array;
    try {
      frame = encodeFrame(main, extra);
    } catch (err) {
      rpc.store.deleteSession(sessionId);
      reject(toError(err));
      return;
    }
    sendCallFrame(rpc, frame, target, methodId, remoteParent).then(
      () => {
        if (timer) {
          // The session may already be settled if the reply raced the send completion.
          if (rpc.store.getSession(sessionId, false)) timer.start();
          return;
        }
        // Nothing will answer: drop the session unless it keeps callbacks for the peer.
        const s = rpc.store.getSession(sessionId, false);
        if (s && !sessionHasObjects(s)) rpc.store.deleteSession(sessionId);
        resolve(null);
      },
      (err: unknown) => {
        rpc.store.deleteSession(sessionId);
        reject(sendFailed(err, target, methodId));
      },
    );
  });
}
