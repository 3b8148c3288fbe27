/**
 * Callee side of a call (spec §4.5–4.8): resolves the method path, checks access, decodes the
 * arguments, injects the context, runs the function and answers through resolve/reject while
 * sending heartbeats.
 */
import type { MethodAnnotation, RpcInternals } from '../rpc-internals.js';
import { RpcError, toError } from '../errors.js';
import type { WheelEntry } from '../utils/timer-wheel.js';
import { decodedReply, StarReply, type ReplyChannel } from './reply-channel.js';
import { getParamNames } from '../utils/param-names.js';
import { isPlainData } from '../encoding/guards.js';
import type { AnyFunction } from '../utils/any-function.js';

/** The callee's heartbeat to the caller: an entry of the peer's timer wheel that re-arms itself. */
class HeartbeatEntry implements WheelEntry {
  due: number;
  readonly #rpc: RpcInternals;
  readonly #beat: () => Promise<unknown>;
  readonly #intervalMs: number;
  readonly #methodName: string;

  constructor(rpc: RpcInternals, beat: () => Promise<unknown>, intervalSeconds: number, methodName: string) {
    this.#rpc = rpc;
    this.#beat = beat;
    this.#intervalMs = intervalSeconds * 1000;
    this.#methodName = methodName;
    this.due = Date.now() + this.#intervalMs;
    rpc.timers.add(this);
  }

  fire(): void {
    this.due = Date.now() + this.#intervalMs;
    this.#rpc.timers.add(this);
    this.#beat().catch((err: unknown) => this.#rpc.logger.warn(`Heartbeat for ${this.#methodName} failed`, err));
  }

  stop(): void {
    this.#rpc.timers.remove(this);
  }
}

/** Part of `id` before the first `/` (all of it when there is none). */
function head(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

/** Handles one `type: "method"` message (segment 2 already merged, `ctx` built). */
export async function handleMethod(rpc: RpcInternals, data: Record<string, any>): Promise<void> {
  let reply: ReplyChannel | null = null;
  let heartbeat: HeartbeatEntry | null = null;
  try {
    if (typeof data.method !== 'string' || typeof data.from !== 'string' || !data.ctx) {
      throw new RpcError('INVALID_ARGUMENT', `Invalid method message: method and from are required (from=${String(data.from)}, method=${String(data.method)})`);
    }
    const from: string = data.from;
    const methodPath: string = data.method;
    const methodName = `${from}:${methodPath}`;
    const slash = from.indexOf('/');
    const remoteWorkspace = slash < 0 ? from : from.slice(0, slash);
    const remoteClientId = slash < 0 ? undefined : head(from.slice(slash + 1));
    const to: string = typeof data.to === 'string' && data.to.includes('/') ? data.to : `${remoteWorkspace}/${data.to}`;
    data.to = to;
    data.ctx.to = to;
    let localWorkspace: string;
    if (!rpc.localWorkspace) {
      localWorkspace = head(to);
    } else {
      if (rpc.localWorkspace !== '*' && head(to) !== rpc.localWorkspace) {
        throw new RpcError('PERMISSION_DENIED', `Workspace mismatch: ${head(to)} != ${rpc.localWorkspace}`);
      }
      localWorkspace = rpc.localWorkspace;
    }
    const localParent: string | undefined = data.parent;

    if (data.promise) {
      if (data.promise === '*') {
        // Short form: answer the caller's session directly (no generic decode pass).
        if (remoteClientId === undefined) {
          throw new RpcError('INVALID_ARGUMENT', `Invalid method message: from must be <workspace>/<client>, got ${from}`);
        }
        reply = new StarReply(rpc, data, remoteWorkspace, remoteClientId, localParent ?? null, localWorkspace);
      } else {
        reply = decodedReply(await rpc.decode(data.promise, data.session, localParent, remoteWorkspace, localWorkspace));
      }
      if (reply.heartbeat && reply.interval > 0) {
        heartbeat = new HeartbeatEntry(rpc, reply.heartbeat, reply.interval, methodName);
      }
    }

    const method = rpc.store.resolve(methodPath) as AnyFunction | Record<string, unknown> | undefined;
    const dot = methodPath.indexOf('.');
    if (dot > 0) {
      const top = methodPath.slice(0, dot);
      if (top !== 'services' && top !== 'message_cache') {
        const session = rpc.store.getSession(top, false);
        if (session) session._last_activity_at = Date.now();
      }
    }
    if (typeof method !== 'function') {
      heartbeat?.stop();
      const channel = reply;
      const reject = channel?.reject ? (error: Error) => channel.reject!(error) : null;
      handleMissingMethod(rpc, methodPath, methodName, method !== undefined, reject);
      return;
    }

    const annotation = rpc.annotations.get(method);
    checkAccess(rpc, annotation, data, methodName, localWorkspace, remoteWorkspace, remoteClientId);

    if (localParent && !methodPath.startsWith('services.') && !rpc.store.getSession(localParent, false)) {
      throw new RpcError('SESSION_NOT_FOUND', `Parent session was closed: ${localParent}`);
    }

    let args: unknown[] = !data.args
      ? []
      : isPlainData(data.args)
        ? data.args
        : await rpc.decode(data.args, data.session, null, remoteWorkspace, null);
    if (!Array.isArray(args)) throw new RpcError('INVALID_ARGUMENT', `Invalid args for ${methodName}: expected an array`);
    if (data.with_kwargs && args.length > 0) args = applyKwargs(method, args);
    if (annotation?.require_context) {
      while (args.length < method.length - 1) args.push(undefined);
      args.push(data.ctx);
    }

    const result = method(...args);
    if (!data.promise) {
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(undefined, (err: unknown) =>
          rpc.logger.error(`Error in ${methodName} (caller expects no reply)`, err),
        );
      }
      return;
    }
    const value = result && typeof (result as Promise<unknown>).then === 'function' ? await result : result;
    heartbeat?.stop();
    if (reply?.resolve) await reply.resolve(value).catch((err: unknown) => fail(rpc, data, reply, err));
  } catch (err) {
    heartbeat?.stop();
    fail(rpc, data, reply, err);
  }
}

function fail(rpc: RpcInternals, data: Record<string, any>, reply: ReplyChannel | null, err: unknown): void {
  if (reply?.reject) {
    reply.reject(toError(err)).catch((sendErr: unknown) =>
      rpc.logger.error(`Failed to send the rejection of ${String(data.from)}:${String(data.method)}`, sendErr),
    );
  } else {
    rpc.logger.error(`Error while handling ${String(data.from)}:${String(data.method)} (caller expects no reply)`, err);
  }
}

/**
 * `with_kwargs`: the last argument maps parameter names to values (spec §4.7). A remote function
 * this peer re-exported (its proxy runs as the callee) gets them as keyword arguments again, so
 * they reach the original function by name (as a Python peer's `**kwargs` would).
 */
function applyKwargs(method: AnyFunction, args: unknown[]): unknown[] {
  const kwargs = args[args.length - 1];
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) return args;
  const out = args.slice(0, -1);
  // A re-exported remote function, or a declared method that binds keywords itself.
  const m = method as { __rpc_object__?: unknown; __accepts_kwargs__?: unknown };
  if (m.__rpc_object__ || m.__accepts_kwargs__) {
    out.push({ ...(kwargs as Record<string, unknown>), _rkwargs: true });
    return out;
  }
  const named = declaredParamNames(method) ?? getParamNames(method).filter((n) => n !== 'context');
  for (let i = 0; i < named.length; i++) {
    const name = named[i];
    if (name !== undefined && Object.prototype.hasOwnProperty.call(kwargs, name)) {
      out[i] = (kwargs as Record<string, unknown>)[name];
    }
  }
  return out;
}

/** Parameter names from the function's `__schema__` (a declared or schema function), in order. */
function declaredParamNames(method: AnyFunction): string[] | null {
  const schema = (method as { __schema__?: { parameters?: { properties?: unknown } } }).__schema__;
  const properties = schema?.parameters?.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return null;
  return Object.keys(properties);
}

function handleMissingMethod(
  rpc: RpcInternals,
  path: string,
  methodName: string,
  existsButNotFunction: boolean,
  reject: ((error: Error) => Promise<unknown>) | null,
): void {
  const parts = path.split('.');
  let error: RpcError;
  if (existsButNotFunction) {
    error = new RpcError('METHOD_NOT_FOUND', `Invalid method: ${methodName}`);
  } else if (parts.length > 1) {
    const session = rpc.store.getSession(parts[0], false);
    error = session
      ? new RpcError('METHOD_NOT_FOUND', `Method expired or not found: ${methodName}`)
      : new RpcError('SESSION_NOT_FOUND', `Session not found: ${methodName}`);
  } else {
    error = new RpcError('METHOD_NOT_FOUND', `Method not found: ${methodName} at ${rpc.clientId}`);
  }
  if (reject) {
    reject(error).catch((err: unknown) => rpc.logger.error(`Failed to send the rejection for ${methodName}`, err));
  } else {
    // Typically a late reply (resolve/reject/heartbeat) for a call that already timed out.
    rpc.logger.warn(`Dropped message: ${error.message}`);
  }
}

function checkAccess(
  rpc: RpcInternals,
  annotation: MethodAnnotation | undefined,
  data: Record<string, any>,
  methodName: string,
  localWorkspace: string,
  remoteWorkspace: string,
  remoteClientId: string | undefined,
): void {
  if (annotation) {
    if (annotation.visibility !== 'protected') return;
    if (localWorkspace === remoteWorkspace) return;
    if (annotation.authorized_workspaces?.includes(remoteWorkspace)) return;
    if (remoteWorkspace === '*' && remoteClientId === rpc.managerId) return;
    if (annotation.rintf_allowed_caller) {
      if (data.from === annotation.rintf_allowed_caller) return;
      throw new RpcError(
        'PERMISSION_DENIED',
        `Permission denied for _rintf callback ${methodName}, caller ${data.from} is not the allowed caller ${annotation.rintf_allowed_caller}`,
      );
    }
    throw new RpcError(
      'PERMISSION_DENIED',
      `Permission denied for invoking protected method ${methodName}, workspace mismatch: ${localWorkspace} != ${remoteWorkspace}`,
    );
  }
  // Session functions: only the peer the session's call went to may use them.
  const dot = data.method.indexOf('.');
  const session = rpc.store.getSession(dot < 0 ? data.method : data.method.slice(0, dot), false);
  let target = session?.target_id;
  if (localWorkspace === remoteWorkspace && target && !target.includes('/')) target = `${localWorkspace}/${target}`;
  if (target !== data.from) {
    throw new RpcError(
      'PERMISSION_DENIED',
      `Access denied for method call (${methodName}) from ${data.from} to target ${target}`,
    );
  }
}
