/**
 * Callee side of a call (spec §4.5–4.8): resolves the method path, checks access, decodes the
 * arguments, injects the context, runs the function and answers through resolve/reject while
 * sending heartbeats.
 */
import type { RpcInternals } from '../rpc-internals.js';
import { RpcError, toError } from '../errors.js';
import { resolvePath } from '../session/object-store.js';
import { getParamNames } from '../utils/param-names.js';
import { isPlainData } from '../encoding/guards.js';
import type { AnyFunction } from '../utils/any-function.js';

type Callback = (...args: unknown[]) => Promise<unknown>;

/** Handles one `type: "method"` message (segment 2 already merged, `ctx` built). */
export async function handleMethod(rpc: RpcInternals, data: Record<string, any>): Promise<void> {
  let resolve: Callback | null = null;
  let reject: Callback | null = null;
  let heartbeatTask: ReturnType<typeof setInterval> | undefined;
  const stopHeartbeat = (): void => {
    if (heartbeatTask !== undefined) clearInterval(heartbeatTask);
    heartbeatTask = undefined;
  };
  const fail = (err: unknown): void => {
    stopHeartbeat();
    if (reject) {
      reject(toError(err)).catch((sendErr: unknown) =>
        rpc.logger.error(`Failed to send the rejection of ${String(data.from)}:${String(data.method)}`, sendErr),
      );
    } else {
      rpc.logger.error(`Error while handling ${String(data.from)}:${String(data.method)} (caller expects no reply)`, err);
    }
  };
  try {
    if (typeof data.method !== 'string' || typeof data.from !== 'string' || !data.ctx) {
      throw new RpcError('INVALID_ARGUMENT', `Invalid method message: method and from are required (from=${String(data.from)}, method=${String(data.method)})`);
    }
    const methodName = `${data.from}:${data.method}`;
    const [remoteWorkspace, remoteClientId] = data.from.split('/') as [string, string | undefined];
    const to: string = typeof data.to === 'string' && data.to.includes('/') ? data.to : `${remoteWorkspace}/${data.to}`;
    data.to = to;
    data.ctx.to = to;
    let localWorkspace: string;
    if (!rpc.localWorkspace) {
      localWorkspace = to.split('/')[0]!;
    } else {
      if (rpc.localWorkspace !== '*' && to.split('/')[0] !== rpc.localWorkspace) {
        throw new RpcError('PERMISSION_DENIED', `Workspace mismatch: ${to.split('/')[0]} != ${rpc.localWorkspace}`);
      }
      localWorkspace = rpc.localWorkspace;
    }
    const localParent: string | undefined = data.parent;

    if (data.promise) {
      let promise: Record<string, any>;
      if (data.promise === '*') {
        // Short form: bind the caller's session functions directly (no generic decode pass).
        const target = data.from.split('/')[1] as string;
        const bind = (name: string) =>
          rpc.makeRemoteMethod(
            { _rtype: 'method', _rtarget: target, _rmethod: `${data.session}.${name}`, _rdoc: `${name} callback for method: ${data.method}` },
            data.session,
            localParent,
            remoteWorkspace,
            localWorkspace,
          );
        promise = { resolve: bind('resolve'), reject: bind('reject'), interval: data.t };
        if (data.t) promise.heartbeat = bind('heartbeat');
      } else {
        promise = await rpc.decode(data.promise, data.session, localParent, remoteWorkspace, localWorkspace);
      }
      resolve = typeof promise?.resolve === 'function' ? promise.resolve : null;
      reject = typeof promise?.reject === 'function' ? promise.reject : null;
      if (typeof promise?.heartbeat === 'function' && promise.interval > 0) {
        const beat = promise.heartbeat as Callback;
        heartbeatTask = setInterval(() => {
          beat().catch((err: unknown) => rpc.logger.warn(`Heartbeat for ${methodName} failed`, err));
        }, promise.interval * 1000);
      }
    }

    const method = resolvePath(rpc.store.root, data.method) as AnyFunction | Record<string, unknown> | undefined;
    const parts = data.method.split('.');
    if (parts.length > 1 && parts[0] !== 'services' && parts[0] !== 'message_cache') {
      const top = rpc.store.getSession(parts[0], false);
      if (top) top._last_activity_at = Date.now();
    }
    if (typeof method !== 'function') {
      stopHeartbeat();
      handleMissingMethod(rpc, data.method, methodName, method !== undefined, reject);
      return;
    }

    checkAccess(rpc, method, data, methodName, localWorkspace, remoteWorkspace, remoteClientId);

    if (localParent && !data.method.startsWith('services.') && !rpc.store.getSession(localParent, false)) {
      throw new RpcError('SESSION_NOT_FOUND', `Parent session was closed: ${localParent}`);
    }

    let args: unknown[] = !data.args
      ? []
      : isPlainData(data.args)
        ? data.args
        : await rpc.decode(data.args, data.session, null, remoteWorkspace, null);
    if (!Array.isArray(args)) throw new RpcError('INVALID_ARGUMENT', `Invalid args for ${methodName}: expected an array`);
    if (data.with_kwargs && args.length > 0) {
      const kwargs = args[args.length - 1];
      if (typeof kwargs === 'object' && kwargs !== null && !Array.isArray(kwargs)) {
        args = args.slice(0, -1);
        const named = getParamNames(method).filter((n) => n !== 'context');
        for (let i = 0; i < named.length; i++) {
          const name = named[i];
          if (name !== undefined && Object.prototype.hasOwnProperty.call(kwargs, name)) {
            args[i] = (kwargs as Record<string, unknown>)[name];
          }
        }
      }
    }
    const annotation = rpc.annotations.get(method);
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
    stopHeartbeat();
    if (resolve) await resolve(value).catch((err: unknown) => fail(err));
  } catch (err) {
    fail(err);
  }
}

function handleMissingMethod(
  rpc: RpcInternals,
  path: string,
  methodName: string,
  existsButNotFunction: boolean,
  reject: Callback | null,
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
  method: AnyFunction,
  data: Record<string, any>,
  methodName: string,
  localWorkspace: string,
  remoteWorkspace: string,
  remoteClientId: string | undefined,
): void {
  const annotation = rpc.annotations.get(method);
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
  const session = rpc.store.getSession(data.method.split('.')[0], false);
  let target = session?.target_id;
  if (localWorkspace === remoteWorkspace && target && !target.includes('/')) target = `${localWorkspace}/${target}`;
  if (target !== data.from) {
    throw new RpcError(
      'PERMISSION_DENIED',
      `Access denied for method call (${methodName}) from ${data.from} to target ${target}`,
    );
  }
}
