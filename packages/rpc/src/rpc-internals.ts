/**
 * The internal surface of an RPC peer that the encoding, call and chunking modules work
 * against. Implemented by {@link RPC}; not part of the public API.
 * @internal
 */
import type { ObjectStore } from './session/object-store.js';
import type { Codec, EncodedMethod, RemoteFunction } from './rpc-types.js';
import type { Logger } from './utils/logger.js';
import type { AnyFunction } from './utils/any-function.js';
import type { TimerWheel } from './utils/timer-wheel.js';

/** Access-control data attached to each function of a registered service (spec §4.6). */
export interface MethodAnnotation {
  require_context: boolean;
  method_id: string;
  visibility: 'protected' | 'public' | 'unlisted';
  authorized_workspaces?: string[];
  rintf_allowed_caller: string | null;
}

/** @internal */
export interface RpcInternals {
  readonly clientId: string;
  readonly localWorkspace: string | null;
  readonly serverBaseUrl: string | null;
  readonly methodTimeout: number;
  readonly rintfTimeout: number;
  readonly chunkSize: number;
  readonly store: ObjectStore;
  /** Call timeouts and callee heartbeats of this peer. */
  readonly timers: TimerWheel;
  readonly annotations: WeakMap<AnyFunction, MethodAnnotation>;
  readonly codecs: Map<string, Codec>;
  readonly logger: Logger;
  readonly defaultContext: Record<string, unknown>;
  /** Manager id of the current connection, if any. */
  readonly managerId: string | null;
  /** Writes one frame to the connection. */
  sendFrame(frame: Uint8Array): Promise<void>;
  encode(value: unknown, sessionId: string | null, localWorkspace?: string | null): Promise<unknown>;
  decode(
    value: unknown,
    remoteParent?: string | null,
    localParent?: string | null,
    remoteWorkspace?: string | null,
    localWorkspace?: string | null,
  ): Promise<any>;
  makeRemoteMethod(
    encoded: EncodedMethod,
    remoteParent?: string | null,
    localParent?: string | null,
    remoteWorkspace?: string | null,
    localWorkspace?: string | null,
  ): RemoteFunction;
  getRemoteService(uri: string, config?: { timeout?: number; _no_retry?: boolean }): Promise<any>;
  /** Registers a `_rintf` object's functions as a local-only service; returns its id. */
  addRintfService(functions: Record<string, AnyFunction>, allowedCaller: string | null): string;
  /** Delivers a decoded message to local event handlers (`method` → callee). */
  dispatch(main: Record<string, any>): void;
}
