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

async function callRemote(
  rpc: RpcInternals,
  encoded: EncodedMethod,
  rawArgs: unknown[],
  remoteParent: string | null,
  localParent: string | null,
  localWorkspace: string | null,
): Promise<any> {
  // Read at call time so that retargeting `_rtarget` (after reconnection) takes effect.
  const target = encoded._rtarget;
  const methodId = encoded._rmethod;
  const withPromise = encoded._rpromise || false;
  const sessionId = localParent ? `${localParent}.${randId()}` : randId();
  rpc.store.setTarget(sessionId, target);

  let withKwargs = false;
  const last = rawArgs[rawArgs.length - 1];
  if (isPlainObject(last) && last._rkwargs) {
    const { _rkwargs: _drop, ...kwargs } = last;
    rawArgs = [...rawArgs.slice(0, -1), kwargs];
    withKwargs = true;
  }
  let args: unknown;
  try {
    args = isPlainData(rawArgs) ? rawArgs : await rpc.encode(rawArgs, sessionId, localWorkspace);
  } catch (err) {
    rpc.store.deleteSession(sessionId);
    throw err;
  }

  const from = rpc.localWorkspace ? `${rpc.localWorkspace}/${rpc.clientId}` : rpc.clientId;
  const main: FrameHeader = { type: 'method', from, to: target, method: methodId };
  if (remoteParent) main.parent = remoteParent;
  const extra: Record<string, unknown> = { args };
  if (withKwargs) extra.with_kwargs = true;

  return new Promise<any>((resolve, reject) => {
    let timer: Timer | null = null;
    const session = rpc.store.getSession(sessionId, true);
    if (withPromise) {
      main.session = sessionId;
      const timeout = methodId.includes('_rintf_') ? rpc.rintfTimeout : rpc.methodTimeout;
      timer = new Timer(timeout, () => {
        rpc.store.deleteSession(sessionId);
        reject(
          new RpcError(
            'TIMEOUT',
            `Method call timed out: ${target}:${methodId}, context: method: ${methodId}, docs: ${encoded._rdoc ?? null} (no reply or heartbeat within ${timeout}s)`,
          ),
        );
      });
      const settle = (fn: (v: any) => void) => (value?: unknown) => {
        rpc.store.deleteSession(sessionId);
        fn(value);
      };
      session._promise = true;
      session.timer = timer;
      session.resolve = settle(resolve);
      session.reject = settle((err) => reject(err instanceof Error ? err : toError(err)));
      const t = timer;
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
    }

    let frame: Uint8Array;
    try {
      frame = encodeFrame(main, extra);
    } catch (err) {
      rpc.store.deleteSession(sessionId);
      reject(toError(err));
      return;
    }
    const noChunk = methodId === 'services.built-in.message_cache.append';
    const sent =
      frame.byteLength <= rpc.chunkSize + 1024 || noChunk
        ? rpc.sendFrame(frame)
        : sendChunks(rpc, frame, target, remoteParent);
    sent.then(
      () => {
        if (withPromise) {
          // The session may already be settled if the reply raced the send completion.
          if (rpc.store.getSession(sessionId, false)) timer?.start();
          return;
        }
        // Nothing will answer: drop the session unless it keeps callbacks for the peer.
        const s = rpc.store.getSession(sessionId, false);
        if (s && !sessionHasObjects(s)) rpc.store.deleteSession(sessionId);
        resolve(null);
      },
      (err: unknown) => {
        rpc.store.deleteSession(sessionId);
        reject(
          new RpcError(
            'SEND_FAILED',
            `Failed to send the request when calling method (${target}:${methodId}), error: ${toError(err).message}`,
            { cause: err },
          ),
        );
      },
    );
  });
}
