/**
 * Routes binary frames between peers (rpc-protocol §3.3–§3.6).
 *
 * For every frame a peer sends, only segment 1 is decoded: `from`, `ws` and `user` are overwritten
 * with the sender's authenticated identity, `to` is made absolute, segment 1 is re-encoded and the
 * remainder appended byte for byte. The frame is then published on the event bus as
 * `<target>:msg`; the instance holding the target delivers it. Broadcasts (`<ws>/*`) reach the
 * local peers of that workspace that subscribed to the frame's `type`.
 */
import type { EventBus, BusPayload, Unsubscribe } from '@hypha/eventbus';
import type { UserInfo } from '@hypha/auth';
import { decodeFrame, decodeFrameHeader, encodeFrame } from '@hypha/rpc';
import { RoutingError } from '../errors.js';
import { RecentlyDisconnected } from './recently-disconnected.js';
import { peerNotFound, syntheticReject } from './synthetic-reject.js';
import { CallerIndex } from './caller-index.js';
import { SenderStamp, methodOf, readRoutingFields, stampFrame, stampHeader } from './header-stamp.js';
import { ChunkedMessageGuard, messageCacheOp } from './chunked-message-guard.js';
import type { RoutingFields } from './header-stamp.js';
import { segment2Problem } from './segment-guard.js';
import { RefusalCounter, UNROUTABLE_CLOSE_CODE } from './refusal-counter.js';

/** A peer attached to the router: a WebSocket client, an HTTP stream, or an in-server peer. */
export interface RouteEndpoint {
  workspace: string;
  clientId: string;
  /** Stamped as `user` on every frame this peer sends. */
  user: UserInfo;
  /** Read-only peers (permission exactly `r` on their workspace) cannot broadcast. */
  readOnly?: boolean;
  /**
   * Hands one routed binary frame to the peer. Returns `false` when the transport can no longer
   * take it (closing or closed); the router then rejects the caller (spec §3.6) instead of letting
   * it wait for its timeout.
   */
  deliver(frame: Uint8Array): boolean | void;
  /**
   * Optional: hands one frame in two pieces, the stamped segment 1 and the rest as received, so
   * a large payload is forwarded without being copied into a new frame. Same contract as `deliver`;
   * the transport must send both pieces as one message.
   */
  deliverParts?(head: Uint8Array, rest: Uint8Array): boolean | void;
  /** Closes the peer's transport (used to cut off a peer that keeps sending unroutable frames). */
  close?(code: number, reason: string): void;
}

export interface MessageRouterOptions {
  bus: EventBus;
  /** Identifies this instance in presence records. */
  serverId: string;
  /** How long a departed client's calls fail fast (default 120 s). */
  recentlyDisconnectedMs?: number;
  /** How long a positive presence lookup is trusted (default 5 s). */
  presenceCacheMs?: number;
  onError?: (message: string, err: unknown) => void;
}

/** Key-value record telling every instance that a client is connected somewhere. */
export function presenceKey(id: string): string {
  return `clients:${id}`;
}

const RECONNECTED_EVENT = 'client-reconnected';
/** Broadcast when a peer is gone for good (it left, or the cluster declared its server dead). */
const GONE_EVENT = 'client-gone';

/** Frames whose payload (after segment 1) is at least this long are forwarded in two pieces when the target can take them. */
const SPLIT_FORWARD_BYTES = 64 * 1024;

export class MessageRouter {
  readonly bus: EventBus;
  /** @internal chunked messages in flight through this instance (issue #10 item 1). */
  readonly chunked = new ChunkedMessageGuard();
  readonly serverId: string;
  private readonly handles = new Map<string, RouteHandle>();
  private readonly broadcastMembers = new Map<string, { members: Set<RouteHandle>; off: Unsubscribe }>();
  private readonly recent: RecentlyDisconnected;
  private readonly presenceCache = new Map<string, number>();
  private readonly presenceCacheMs: number;
  private readonly offReconnected: Unsubscribe;
  private readonly offGone: Unsubscribe;
  /** @internal which local peers wait on calls to which targets. */
  readonly callers = new CallerIndex<RouteHandle>();
  readonly onError: (message: string, err: unknown) => void;
  /**
   * Running totals for metrics (read at scrape time): frames routed/delivered/rejected, method
   * calls, and frames without a `session` that a closing peer could not take (`undelivered`).
   */
  readonly stats = { routed: 0, delivered: 0, rejected: 0, calls: 0, undelivered: 0 };
  /**
   * Sees every method call this instance routes, with its resolved target `<ws>/<client>` (the
   * server-apps controller counts calls to app clients here: inactivity and autoscaling load).
   * Must not throw or block: it runs on the routing path.
   */
  callObserver: ((target: string, method: string | undefined) => void) | null = null;
  /** Which targets' calls the observer wants (their `method` is read from the frame). */
  callObserverFilter: (target: string) => boolean = () => true;

  constructor(options: MessageRouterOptions) {
    this.bus = options.bus;
    this.serverId = options.serverId;
    this.recent = new RecentlyDisconnected(options.recentlyDisconnectedMs ?? 120_000);
    this.presenceCacheMs = options.presenceCacheMs ?? 5_000;
    this.onError =
      options.onError ??
      ((message, err) => console.error(JSON.stringify({ level: 'error', msg: message, error: String(err) })));
    this.offReconnected = this.bus.on(RECONNECTED_EVENT, (data) => {
      if (typeof data === 'string') this.recent.delete(data);
    });
    this.offGone = this.bus.on(GONE_EVENT, (data) => {
      if (typeof data === 'string') this.peerGone(data);
    });
  }

  /** The handle currently routing for `<ws>/<client>` on this instance, if any. */
  getLocal(id: string): RouteHandle | undefined {
    return this.handles.get(id);
  }

  /** Ids of the peers attached to this instance in `workspace`. */
  localClients(workspace: string): string[] {
    return [...(this.broadcastMembers.get(workspace)?.members ?? [])].map((h) => h.id);
  }

  get size(): number {
    return this.handles.size;
  }

  /** Ids `<ws>/<client>` of every peer attached to this instance (the manager included). */
  localIds(): string[] {
    return [...this.handles.keys()];
  }

  /** Writes the presence record of every attached peer again (after the backend lost its keys). */
  async republishPresence(): Promise<number> {
    const ids = this.localIds();
    for (const id of ids) await this.bus.set(presenceKey(id), this.serverId);
    return ids.length;
  }

  /**
   * Starts routing for a peer. A previous handle for the same `<ws>/<client>` on this instance is
   * detached first and returned as `superseded` so the caller can close its socket.
   */
  async attach(endpoint: RouteEndpoint): Promise<{ handle: RouteHandle; superseded?: RouteHandle }> {
    const id = `${endpoint.workspace}/${endpoint.clientId}`;
    const previous = this.handles.get(id);
    if (previous) previous.detachRouting();
    const handle = new RouteHandle(this, endpoint, id);
    this.handles.set(id, handle);
    handle.offDirect = this.bus.on(`${id}:msg`, (data) => handle.receive(data));
    if (endpoint.workspace !== '*') this.joinBroadcast(handle);
    await this.bus.addLocalClient(id);
    await this.bus.set(presenceKey(id), this.serverId);
    this.recent.delete(id);
    this.presenceCache.delete(id);
    if (endpoint.workspace !== '*') await this.bus.emit(RECONNECTED_EVENT, id);
    return previous ? { handle, superseded: previous } : { handle };
  }

  /** @internal called by RouteHandle.detach */
  async release(handle: RouteHandle, markDisconnected: boolean): Promise<void> {
    if (this.handles.get(handle.id) !== handle) return;
    this.handles.delete(handle.id);
    this.chunked.forgetSender(handle.id);
    handle.detachRouting();
    if (markDisconnected) this.recent.add(handle.id);
    this.presenceCache.delete(handle.id);
    await this.bus.removeLocalClient(handle.id);
    await this.bus.del(presenceKey(handle.id));
    if (markDisconnected) await this.announceGone([handle.id]);
  }

  /**
   * Tells every instance that these peers are gone (they left, or their server died): each one
   * drops its cached presence for them and sends `peer_not_found` to its local peers that called
   * them, so calls waiting on a dead peer fail at once instead of at the caller's timeout.
   */
  async announceGone(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.bus.emit(GONE_EVENT, id);
  }

  private peerGone(id: string): void {
    this.presenceCache.delete(id);
    const callers = this.callers.take(id);
    if (callers.length === 0) return;
    const frame = peerNotFound(id, `Target peer ${id} is not connected (it disconnected or its server stopped)`);
    for (const caller of callers) caller.deliverSafely(frame);
  }

  /** @internal */
  leaveBroadcast(handle: RouteHandle): void {
    const group = this.broadcastMembers.get(handle.workspace);
    if (!group) return;
    group.members.delete(handle);
    if (group.members.size === 0) {
      group.off();
      this.broadcastMembers.delete(handle.workspace);
    }
  }

  private joinBroadcast(handle: RouteHandle): void {
    let group = this.broadcastMembers.get(handle.workspace);
    if (!group) {
      const members = new Set<RouteHandle>();
      const off = this.bus.on(`${handle.workspace}/*:msg`, (data) => this.fanOut(members, data));
      group = { members, off };
      this.broadcastMembers.set(handle.workspace, group);
    }
    group.members.add(handle);
  }

  private fanOut(members: Set<RouteHandle>, data: BusPayload): void {
    const frame = toBytes(data);
    if (!frame) return;
    let type: unknown;
    try {
      type = (readRoutingFields(frame) ?? fieldsOfUnusualFrame(frame)).type;
    } catch (err) {
      this.onError('dropping malformed broadcast frame', err);
      return;
    }
    if (typeof type !== 'string') return;
    for (const member of members) {
      if (member.subscriptions.has(type)) member.deliverSafely(frame);
    }
  }

  /**
   * @internal A frame that reached `target` but that its transport could not take: a caller
   * waiting on its `session` gets the synthetic reject (spec §3.6), sent to the frame's `from`
   * (the frame is stamped, so `from`/`to` are absolute and match the caller's session check).
   */
  undeliverable(frame: Uint8Array, target: string): void {
    let fields: RoutingFields;
    try {
      fields = readRoutingFields(frame) ?? fieldsOfUnusualFrame(frame);
    } catch (err) {
      this.onError(`a malformed frame for ${target} could not be delivered`, err);
      return;
    }
    const caller = fields.from;
    if (!fields.session || caller === undefined || caller === '') {
      this.stats.undelivered++;
      return;
    }
    this.stats.rejected++;
    const reject = syntheticReject(fields.session, fields.to ?? target, caller, `Target peer ${target} is not connected`);
    const local = this.getLocal(caller);
    if (local !== undefined) {
      if (!local.deliverSafely(reject)) this.stats.undelivered++;
      return;
    }
    this.bus.emit(`${caller}:msg`, reject).catch((err) => {
      this.onError(`failed to send the reject for an undeliverable frame to ${caller}`, err);
    });
  }

  /** Sends a system event `{type, to:"*", data}` to the subscribers of `workspace` (spec §8.10). */
  async broadcastSystem(workspace: string, type: string, data: unknown): Promise<void> {
    await this.bus.emit(`${workspace}/*:msg`, encodeFrame({ type, to: '*', data }));
  }

  /** @internal whether `target` is known to be gone; `undefined` means "ask the registry". */
  quickLiveness(target: string): boolean | undefined {
    if (this.bus.isLocalClient(target)) return true;
    if (this.recent.has(target)) return false;
    const cached = this.presenceCache.get(target);
    if (cached !== undefined && cached > Date.now()) return true;
    return undefined;
  }

  /** @internal */
  async lookupPresence(target: string): Promise<boolean> {
    const owner = await this.bus.get(presenceKey(target));
    if (owner === null) return false;
    this.presenceCache.set(target, Date.now() + this.presenceCacheMs);
    return true;
  }

  async close(): Promise<void> {
    this.offReconnected();
    this.offGone();
    for (const handle of [...this.handles.values()]) await this.release(handle, false);
  }
}

/** Routing state of one attached peer. */
export class RouteHandle {
  readonly id: string;
  readonly workspace: string;
  readonly clientId: string;
  /** Event types this peer receives as broadcasts (managed by the manager's `subscribe`). */
  readonly subscriptions = new Set<string>();
  /** @internal */
  offDirect: Unsubscribe | null = null;
  private detached = false;
  private queue: Promise<void> | null = null;
  private readonly stamp: SenderStamp;
  /** Unroutable frames of this peer: logged once per window, the peer cut off past the limit. */
  private readonly refusals = new RefusalCounter();

  constructor(
    private readonly router: MessageRouter,
    readonly endpoint: RouteEndpoint,
    id: string,
  ) {
    this.id = id;
    this.workspace = endpoint.workspace;
    this.clientId = endpoint.clientId;
    this.stamp = new SenderStamp(id, endpoint.user);
  }

  get user(): UserInfo {
    return this.endpoint.user;
  }

  get isAttached(): boolean {
    return !this.detached;
  }

  /**
   * Routes one frame this peer sent. Rejections for frames that carry a `session` are delivered
   * back to this peer (spec §3.6).
   * @throws FrameError (from @hypha/rpc) when segment 1 is not a valid msgpack map.
   */
  route(frame: Uint8Array): void {
    if (this.detached) throw new RoutingError(`Connection ${this.id} is closed`);
    const fields = readRoutingFields(frame) ?? fieldsOfUnusualFrame(frame);
    this.router.stats.routed++;
    if (fields.type === 'method') this.router.stats.calls++;
    if (this.queue) {
      this.chain(() => this.routeDecoded(frame, fields));
      return;
    }
    const pending = this.routeDecoded(frame, fields);
    if (pending) this.chain(() => pending);
  }

  private chain(step: () => Promise<void> | void): void {
    const next = (this.queue ?? Promise.resolve()).then(step).catch((err) => {
      this.router.onError(`routing failed for a frame from ${this.id}`, err);
    });
    this.queue = next;
    void next.then(() => {
      if (this.queue === next) this.queue = null;
    });
  }

  /** Returns a promise only when an asynchronous presence lookup was needed. */
  private routeDecoded(frame: Uint8Array, fields: RoutingFields): Promise<void> | void {
    const { to: sentTo, from: sentFrom, session, headerEnd } = fields;
    const problem = segment2Problem(frame, headerEnd);
    if (problem !== null) {
      this.reject(session, sentTo, sentFrom, `Frame from ${this.id} refused: ${problem}`);
      return;
    }
    if (sentFrom !== undefined && sentFrom !== this.id && sentFrom !== this.clientId) {
      this.reject(session, sentTo, sentFrom, `Forged sender rejected: the frame claims to be from '${sentFrom}' but the connection is '${this.id}'`);
      return;
    }
    if (sentTo === undefined || sentTo === '') {
      this.reject(session, sentTo, sentFrom, `Invalid target: the frame from ${this.id} has no 'to' field`);
      return;
    }
    let target: string;
    if (sentTo === '*') {
      if (this.endpoint.readOnly) {
        this.reject(session, sentTo, sentFrom, `Read-only client ${this.id} cannot broadcast messages.`);
        return;
      }
      target = `${this.workspace}/*`;
    } else if (!sentTo.includes('/')) {
      target = `${this.workspace}/${sentTo}`;
    } else {
      target = sentTo;
    }
    if (fields.type === 'method' && mayCallMessageCache(frame, fields)) {
      const cacheProblem = this.checkChunked(frame, fields, target);
      if (cacheProblem !== null) {
        this.reject(session, sentTo, sentFrom, `Frame from ${this.id} refused: ${cacheProblem}`);
        return;
      }
    }
    if (fields.type === 'method' && this.router.callObserver !== null && this.router.callObserverFilter(target)) {
      this.router.callObserver(target, methodOf(frame, fields));
    }
    if (session && !target.endsWith('/*')) this.router.callers.note(this, target);
    // Common case first: a peer attached to this instance gets the frame by a direct call, as the
    // bus would deliver it (both buses dispatch frames for local clients synchronously).
    const local = this.router.getLocal(target);
    if (local !== undefined) {
      const pairs = this.stamp.pairs(this.contextWorkspace(target));
      const delivered =
        frame.length - headerEnd >= SPLIT_FORWARD_BYTES && local.endpoint.deliverParts !== undefined
          ? local.deliverPartsSafely(stampHeader(frame, headerEnd, target, pairs), frame.subarray(headerEnd))
          : local.deliverSafely(stampFrame(frame, headerEnd, target, pairs));
      if (delivered) return;
      if (session) this.reject(session, sentTo, sentFrom, `Target peer ${target} is not connected`);
      else this.router.stats.undelivered++;
      return;
    }
    const slash = target.indexOf('/');
    const targetWs = target.slice(0, slash);
    const targetClient = target.slice(slash + 1);
    if (targetClient === '*') {
      if (this.endpoint.readOnly) {
        this.reject(session, sentTo, sentFrom, `Read-only client ${this.id} cannot broadcast messages.`);
        return;
      }
      if (targetWs !== this.workspace && this.workspace !== '*') {
        this.reject(session, sentTo, sentFrom, `Broadcast to workspace ${targetWs} is not allowed from workspace ${this.workspace}`);
        return;
      }
    }
    const out = stampFrame(frame, headerEnd, target, this.stamp.pairs(this.contextWorkspace(target)));
    if (targetClient === '*' || targetWs === '*') return this.publish(target, out);
    const alive = this.router.quickLiveness(target);
    if (alive === true) return this.publish(target, out);
    if (alive === false) {
      this.reject(session, sentTo, sentFrom, `Target peer ${target} is not connected`);
      return;
    }
    if (!session) return this.publish(target, out);
    return this.router.lookupPresence(target).then((present) => {
      if (present) return this.publish(target, out);
      this.reject(session, sentTo, sentFrom, `Target peer ${target} is not connected`);
    });
  }

  /** Why a `message_cache` call must not be delivered, or null (see ChunkedMessageGuard). */
  private checkChunked(frame: Uint8Array, fields: RoutingFields, target: string): string | null {
    const op = messageCacheOp(methodOf(frame, fields));
    if (op === null) return null;
    let extra: Record<string, unknown> | undefined;
    try {
      extra = decodeFrame(frame).extra;
    } catch (err) {
      return `the message_cache.${op} call cannot be read: ${err instanceof Error ? err.message : String(err)}`;
    }
    return this.router.chunked.check(this.id, target, op, extra);
  }

  /** The `ws` stamped on frames to `target`: the sender's workspace, or for `*` peers their current one. */
  private contextWorkspace(target: string): string {
    if (this.workspace !== '*') return this.workspace;
    const current = this.user.current_workspace;
    return current && current !== '*' ? current : target.slice(0, target.indexOf('/'));
  }

  /** An unroutable frame: callers waiting on a `session` get a reject (spec §3.6); others are logged. */
  private reject(session: string | undefined, sentTo: string | undefined, sentFrom: string | undefined, message: string): void {
    this.router.stats.rejected++;
    if (session) {
      // The caller waits on this session: it gets the reject, nothing is logged.
      this.deliverSafely(syntheticReject(session, sentTo, sentFrom ?? this.id, message));
      return;
    }
    const verdict = this.refusals.record();
    if (verdict === 'cut-off') {
      this.router.onError(`closing ${this.id}: too many unroutable frames`, message);
      this.endpoint.close?.(UNROUTABLE_CLOSE_CODE, `Too many unroutable frames (${this.refusals.limit} within ${this.refusals.windowMs / 1000} s); last: ${message}`);
      return;
    }
    if (verdict === 'log') this.router.onError(`dropping frame from ${this.id} (further ones in the next ${this.refusals.windowMs / 1000} s are not logged)`, message);
  }

  private publish(target: string, frame: Uint8Array): void {
    this.router.bus.emit(`${target}:msg`, frame).catch((err) => {
      this.router.onError(`failed to publish a frame from ${this.id} to ${target}`, err);
    });
  }

  /** @internal delivers a frame arriving from the bus. */
  receive(data: BusPayload): void {
    const frame = toBytes(data);
    if (!frame) this.router.onError(`dropping a non-binary message for ${this.id}`, typeof data);
    else if (!this.deliverSafely(frame)) this.router.undeliverable(frame, this.id);
  }

  /** @internal whether the frame was handed to the peer (false: detached, transport closing, or it threw). */
  deliverSafely(frame: Uint8Array): boolean {
    if (this.detached) return false;
    try {
      if (this.endpoint.deliver(frame) === false) return false;
    } catch (err) {
      this.router.onError(`failed to deliver a frame to ${this.id}`, err);
      return false;
    }
    this.router.stats.delivered++;
    return true;
  }

  /** @internal like {@link deliverSafely}, for a frame given as stamped header and payload. */
  deliverPartsSafely(head: Uint8Array, rest: Uint8Array): boolean {
    if (this.detached || this.endpoint.deliverParts === undefined) return false;
    try {
      if (this.endpoint.deliverParts(head, rest) === false) return false;
    } catch (err) {
      this.router.onError(`failed to deliver a frame to ${this.id}`, err);
      return false;
    }
    this.router.stats.delivered++;
    return true;
  }

  subscribe(types: string[]): void {
    for (const t of types) this.subscriptions.add(t);
  }

  unsubscribe(types: string[]): void {
    for (const t of types) this.subscriptions.delete(t);
  }

  /** @internal stops bus delivery without touching shared records. */
  detachRouting(): void {
    if (this.detached) return;
    this.detached = true;
    this.offDirect?.();
    this.offDirect = null;
    this.router.leaveBroadcast(this);
    this.router.callers.forget(this);
  }

  /**
   * Stops routing for this peer. `markDisconnected` makes calls to it fail fast for a while
   * (a peer that left), and is false for a superseded connection.
   */
  async detach(markDisconnected = true): Promise<void> {
    await this.router.release(this, markDisconnected);
  }
}

/**
 * Segment 1 that the fast reader declined: the general decoder either reads it or throws the
 * precise FrameError (not a map, truncated, invalid bytes).
 */
function fieldsOfUnusualFrame(frame: Uint8Array): RoutingFields {
  const { header, headerEnd } = decodeFrameHeader(frame);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { type: str(header.type), to: str(header.to), from: str(header.from), session: str(header.session), method: str(header.method), methodStart: -1, methodEnd: -1, headerEnd };
}

/**
 * A cheap test before the method is decoded: only `...message_cache.<op>` methods can be chunked
 * message calls, and every op name ends in one of these letters.
 */
function mayCallMessageCache(frame: Uint8Array, fields: RoutingFields): boolean {
  if (fields.method !== undefined) return fields.method.includes('message_cache.');
  if (fields.methodEnd - fields.methodStart < 27) return false;
  const last = frame[fields.methodEnd - 1];
  return last === 0x65 || last === 0x64 || last === 0x74 || last === 0x73; // e d t s
}

function toBytes(data: BusPayload): Uint8Array | null {
  return data instanceof Uint8Array ? data : null;
}
