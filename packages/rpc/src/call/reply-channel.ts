/**
 * How a callee answers a call (spec §4.3): the caller's session functions `resolve`, `reject`
 * and `heartbeat`, either bound from the short form (`promise: "*"`) or decoded from the long
 * form (a map of encoded methods).
 */
import type { RpcInternals } from '../rpc-internals.js';
import type { RemoteFunction } from '../rpc-types.js';
import { isPlainData, isPlainObject } from '../encoding/guards.js';
import { sendWithoutReply } from './remote-method.js';

type Callback = (...args: unknown[]) => Promise<unknown>;

/** The answering side of one call; a missing function means the caller did not send it. */
export interface ReplyChannel {
  resolve: ((value: unknown) => Promise<unknown>) | null;
  reject: ((error: Error) => Promise<unknown>) | null;
  heartbeat: (() => Promise<unknown>) | null;
  /** Seconds between heartbeats. */
  interval: number;
}

/**
 * The short form: the caller's session is `data.session` at `data.from`. Plain results are sent
 * directly (no remote function is built); anything else goes through a bound remote method, as
 * a decoded long-form callback would.
 */
export class StarReply implements ReplyChannel {
  readonly interval: number;
  readonly heartbeat: (() => Promise<unknown>) | null;
  readonly #rpc: RpcInternals;
  readonly #data: Record<string, any>;
  /** Where replies go (the caller's client id, qualified with its workspace). */
  readonly #to: string;
  readonly #target: string;
  readonly #localParent: string | null;
  readonly #remoteWorkspace: string;
  readonly #localWorkspace: string;

  constructor(rpc: RpcInternals, data: Record<string, any>, remoteWorkspace: string, target: string, localParent: string | null, localWorkspace: string) {
    this.#rpc = rpc;
    this.#data = data;
    this.#target = target;
    this.#remoteWorkspace = remoteWorkspace;
    this.#localParent = localParent;
    this.#localWorkspace = localWorkspace;
    // A bare client id is relative to the caller's workspace (as makeRemoteMethod qualifies it).
    this.#to = remoteWorkspace && remoteWorkspace !== target ? `${remoteWorkspace}/${target}` : target;
    this.interval = data.t;
    this.heartbeat = data.t ? () => this.#bind('heartbeat')() : null;
  }

  resolve(value: unknown): Promise<unknown> {
    if (isPlainData(value) && !(isPlainObject(value) && value._rkwargs)) {
      const session = this.#data.session as string;
      return sendWithoutReply(this.#rpc, this.#to, `${session}.resolve`, [value], session);
    }
    return this.#bind('resolve')(value);
  }

  reject(error: Error): Promise<unknown> {
    return this.#bind('reject')(error);
  }

  #bind(name: string): RemoteFunction {
    const data = this.#data;
    return this.#rpc.makeRemoteMethod(
      { _rtype: 'method', _rtarget: this.#target, _rmethod: `${data.session}.${name}`, _rdoc: `${name} callback for method: ${data.method}` },
      data.session,
      this.#localParent,
      this.#remoteWorkspace,
      this.#localWorkspace,
    );
  }
}

/** The long form: callbacks decoded from `data.promise`. */
export function decodedReply(promise: Record<string, any> | null | undefined): ReplyChannel {
  const fn = (name: string): Callback | null =>
    typeof promise?.[name] === 'function' ? (promise[name] as Callback) : null;
  return { resolve: fn('resolve'), reject: fn('reject'), heartbeat: fn('heartbeat'), interval: promise?.interval };
}
