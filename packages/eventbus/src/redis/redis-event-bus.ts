import { randomUUID } from 'node:crypto';
import { createClient, ErrorReply } from 'redis';
import type { BusHandler, BusPayload, EventBus, EventBusHealth, SetOptions, Unsubscribe } from '../event-bus.js';
import { EventBusError } from '../errors.js';
import { CircuitBreaker } from '../internal/circuit-breaker.js';
import { escapeGlob } from '../internal/glob.js';
import { HandlerRegistry, logHandlerError, type HandlerErrorReporter } from '../internal/handler-registry.js';
import { LocalClients, splitClientId, targetOf } from '../internal/local-clients.js';
import { assertPayload, decodePayload, encodePayload } from '../internal/payload.js';
import { defaultBusLogger, type BusLogger, type RedisEventBusOptions } from './redis-event-bus-options.js';

type RedisClient = ReturnType<typeof createClient>;
type PatternListener = (message: Buffer, channel: Buffer) => void;

const BROADCAST = 'broadcast:';
const TARGETED = 'targeted:';

/**
 * Event bus for a cluster of servers sharing one Redis, with the reference server's channel and
 * key layout (server-api §8): targeted messages for local clients stay in-process, others go out
 * on `targeted:<event>`, everything else on `broadcast:<event>`, each payload prefixed with one
 * type byte. Uses two connections (commands and subscriptions) that reconnect with exponential
 * backoff; commands go through a circuit breaker; `onReconnect` handlers run once both
 * connections are back and every subscription is restored.
 *
 * @example
 * const bus = await RedisEventBus.connect({ url: 'redis://127.0.0.1:6379' });
 * await bus.addLocalClient('*\/manager-' + serverId);
 * bus.onReconnect(() => reannounceServices());
 */
export class RedisEventBus implements EventBus {
  readonly #cmd: RedisClient;
  readonly #sub: RedisClient;
  readonly #prefix: string;
  readonly #breaker: CircuitBreaker;
  readonly #handlers: HandlerRegistry<BusPayload>;
  readonly #local: HandlerRegistry<unknown>;
  readonly #reconnectHandlers = new Set<() => void | Promise<void>>();
  readonly #clients = new LocalClients();
  /** client id → pattern; what should be subscribed whatever the connection state. */
  readonly #wanted = new Map<string, string>();
  /** pattern → listener of patterns confirmed by Redis (node-redis re-subscribes these itself). */
  readonly #subscribed = new Map<string, PatternListener>();
  readonly #report: HandlerErrorReporter;
  readonly #log: BusLogger;
  readonly #healthTimeoutMs: number;
  readonly #url: string;
  readonly #retryDelayMs: number;
  #dropped = false;
  #drops = 0;
  #recovering = false;
  #closed = false;

  private constructor(options: RedisEventBusOptions) {
    this.#url = options.url ?? 'redis://127.0.0.1:6379';
    this.#prefix = options.keyPrefix ?? '';
    this.#report = options.onError ?? logHandlerError;
    this.#log = options.logger ?? defaultBusLogger;
    this.#healthTimeoutMs = options.healthTimeoutMs ?? 2_000;
    this.#handlers = new HandlerRegistry(this.#report);
    this.#local = new HandlerRegistry(this.#report);
    this.#breaker = new CircuitBreaker({
      name: 'Redis event bus',
      maxFailures: options.maxFailures,
      resetTimeoutMs: options.circuitResetMs,
    });
    const minDelay = options.reconnectMinDelayMs ?? 100;
    const maxDelay = options.reconnectMaxDelayMs ?? 5_000;
    this.#retryDelayMs = minDelay;
    this.#cmd = createClient({
      url: this.#url,
      // Fail fast while disconnected: callers get an error (and the breaker counts it) instead
      // of commands piling up in an offline queue.
      disableOfflineQueue: true,
      name: options.clientName ?? 'hypha-eventbus',
      commandOptions: { timeout: options.commandTimeoutMs ?? 5_000 },
      socket: {
        connectTimeout: options.connectTimeoutMs ?? 10_000,
        reconnectStrategy: (retries) =>
          Math.min(minDelay * 2 ** Math.min(retries, 20), maxDelay) + Math.floor(Math.random() * minDelay),
      },
    });
    const name = options.clientName ?? 'hypha-eventbus';
    this.#sub = this.#cmd.duplicate({ name: `${name}-sub` });
    this.#watch('command', this.#cmd);
    this.#watch('subscriber', this.#sub);
  }

  /** Connect both Redis connections and subscribe to broadcasts. */
  static async connect(options: RedisEventBusOptions = {}): Promise<RedisEventBus> {
    const bus = new RedisEventBus(options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EventBusError('BACKEND_UNAVAILABLE', `Could not connect to Redis at ${bus.#url} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.all([bus.#cmd.connect(), bus.#sub.connect()]), timeout]);
      const pattern = `${escapeGlob(bus.#prefix)}${BROADCAST}*`;
      await Promise.race([bus.#pSubscribe(pattern, undefined), timeout]);
    } catch (err) {
      bus.#closed = true;
      bus.#cmd.destroy();
      bus.#sub.destroy();
      throw err instanceof EventBusError
        ? err
        : new EventBusError('BACKEND_UNAVAILABLE', `Could not connect to Redis at ${bus.#url}: ${String(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    return bus;
  }

  // ---- messaging -------------------------------------------------------------------------

  async emit(event: string, data: BusPayload): Promise<void> {
    this.#assertOpen('emit');
    assertPayload(event, data);
    const target = targetOf(event);
    if (target !== undefined && this.#clients.has(target)) {
      this.#handlers.dispatch(event, data);
      return;
    }
    const channel = this.#prefix + (target !== undefined ? TARGETED : BROADCAST) + event;
    const payload = encodePayload(data);
    await this.#run(() => this.#cmd.publish(channel, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)));
  }

  on(event: string, handler: BusHandler): Unsubscribe {
    return this.#handlers.on(event, handler);
  }

  once(event: string, handler: BusHandler): Unsubscribe {
    return this.#handlers.once(event, handler);
  }

  emitLocal(event: string, data: unknown): void {
    this.#local.dispatch(event, data);
  }

  onLocal(event: string, handler: (data: unknown) => void): Unsubscribe {
    return this.#local.on(event, (data) => handler(data));
  }

  // ---- local clients ---------------------------------------------------------------------

  async addLocalClient(id: string): Promise<void> {
    this.#assertOpen('addLocalClient');
    const { workspace, client } = splitClientId(id);
    if (this.#wanted.has(id)) return;
    // `*` as workspace stays a glob (the manager serves every workspace); all else is literal.
    const ws = workspace === '*' ? '*' : escapeGlob(workspace);
    const pattern = `${escapeGlob(this.#prefix)}${TARGETED}${ws}/${escapeGlob(client)}:*`;
    this.#clients.add(id);
    this.#wanted.set(id, pattern);
    // While the subscriber is down the pattern is subscribed when it comes back (see #onReady).
    if (!this.#sub.isReady) return;
    try {
      await this.#pSubscribe(pattern, id);
    } catch (err) {
      this.#clients.delete(id);
      this.#wanted.delete(id);
      throw new EventBusError('BACKEND_UNAVAILABLE', `Failed to subscribe to messages of client '${id}': ${String(err)}`, { cause: err });
    }
  }

  async removeLocalClient(id: string): Promise<void> {
    this.#clients.delete(id);
    const pattern = this.#wanted.get(id);
    if (pattern === undefined) return;
    this.#wanted.delete(id);
    const listener = this.#subscribed.get(pattern);
    if (!listener) return;
    this.#subscribed.delete(pattern);
    if (this.#sub.isReady) await this.#sub.pUnsubscribe(pattern, listener, true);
  }

  isLocalClient(id: string): boolean {
    return this.#clients.has(id);
  }

  onReconnect(handler: () => void | Promise<void>): Unsubscribe {
    const entry = () => handler();
    this.#reconnectHandlers.add(entry);
    return () => {
      this.#reconnectHandlers.delete(entry);
    };
  }

  /** Pub/sub round trip through Redis (`healthcheck:<uuid>` broadcast, as the reference). */
  async health(): Promise<EventBusHealth> {
    if (this.#closed) return { healthy: false, reason: 'event bus is closed' };
    if (this.#breaker.state === 'open') return { healthy: false, reason: this.#breaker.describe() };
    if (!this.#cmd.isReady || !this.#sub.isReady) {
      return { healthy: false, reason: 'Redis connection is down (reconnecting)' };
    }
    try {
      await this.#run(() => this.#roundTrip());
      return { healthy: true };
    } catch (err) {
      return { healthy: false, reason: `pub/sub round trip failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** Circuit breaker state, for metrics and probes. */
  get circuitState(): 'closed' | 'open' | 'half-open' {
    return this.#breaker.state;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#local.clear();
    this.#reconnectHandlers.clear();
    this.#clients.clear();
    this.#wanted.clear();
    this.#subscribed.clear();
    await Promise.all([this.#shutdown(this.#cmd), this.#shutdown(this.#sub)]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- key-value store -------------------------------------------------------------------

  async get(key: string): Promise<string | null> {
    this.#assertOpen('get');
    return this.#run(() => this.#cmd.get(this.#prefix + key));
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    this.#assertOpen('set');
    const { ttlMs, onlyIfAbsent } = options;
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new EventBusError('INVALID_ARGUMENT', `Invalid ttlMs ${ttlMs} for key '${key}': must be a positive number`);
    }
    const reply = await this.#run(() =>
      this.#cmd.set(this.#prefix + key, value, {
        ...(ttlMs !== undefined ? { expiration: { type: 'PX' as const, value: Math.ceil(ttlMs) } } : {}),
        ...(onlyIfAbsent ? { condition: 'NX' as const } : {}),
      }),
    );
    return reply !== null;
  }

  async del(...keys: string[]): Promise<number> {
    this.#assertOpen('del');
    if (keys.length === 0) return 0;
    return this.#run(() => this.#cmd.del(keys.map((k) => this.#prefix + k)));
  }

  async hSet(key: string, fields: Record<string, string>): Promise<void> {
    this.#assertOpen('hSet');
    if (Object.keys(fields).length === 0) return;
    await this.#run(() => this.#cmd.hSet(this.#prefix + key, fields));
  }

  async hGet(key: string, field: string): Promise<string | null> {
    this.#assertOpen('hGet');
    const value = await this.#run(() => this.#cmd.hGet(this.#prefix + key, field));
    return value ?? null;
  }

  async hGetAll(key: string): Promise<Record<string, string>> {
    this.#assertOpen('hGetAll');
    const all = await this.#run(() => this.#cmd.hGetAll(this.#prefix + key));
    return { ...all };
  }

  async hDel(key: string, ...fields: string[]): Promise<number> {
    this.#assertOpen('hDel');
    if (fields.length === 0) return 0;
    return this.#run(() => this.#cmd.hDel(this.#prefix + key, fields));
  }

  /** SCAN MATCH with COUNT 10000 (never KEYS); the key prefix is added and stripped. */
  async scan(pattern: string): Promise<string[]> {
    this.#assertOpen('scan');
    const match = escapeGlob(this.#prefix) + pattern;
    return this.#run(async () => {
      const out = new Set<string>();
      for await (const keys of this.#cmd.scanIterator({ MATCH: match, COUNT: 10_000 })) {
        for (const key of keys) out.add(key.slice(this.#prefix.length));
      }
      return [...out];
    });
  }

  // ---- internals -------------------------------------------------------------------------

  #run<T>(fn: () => Promise<T>): Promise<T> {
    // Error replies (WRONGTYPE, ...) are the caller's problem, not a backend failure.
    return this.#breaker.run(fn, (err) => !(err instanceof ErrorReply));
  }

  async #pSubscribe(pattern: string, owner: string | undefined): Promise<void> {
    if (this.#subscribed.has(pattern)) return;
    const listener: PatternListener = (message, channel) => this.#onMessage(owner, message, channel);
    await this.#sub.pSubscribe(pattern, listener, true);
    this.#subscribed.set(pattern, listener);
  }

  #onMessage(owner: string | undefined, message: Buffer, channelBytes: Buffer): void {
    const channel = channelBytes.toString('utf8');
    const rest = channel.slice(this.#prefix.length);
    let event: string;
    if (rest.startsWith(BROADCAST)) {
      event = rest.slice(BROADCAST.length);
    } else if (rest.startsWith(TARGETED)) {
      event = rest.slice(TARGETED.length);
      // Two local patterns can match one channel (`*\/manager-x` and `ws/manager-x`):
      // Redis then sends the message once per pattern; deliver it once.
      const target = targetOf(event);
      const canonical = target === undefined ? undefined : this.#clients.ownerOf(target);
      if (canonical !== undefined && canonical !== owner) return;
    } else {
      this.#report(new EventBusError('INVALID_ARGUMENT', `Message on unexpected channel '${channel}'`), channel);
      return;
    }
    let data: BusPayload;
    try {
      data = decodePayload(channel, message);
    } catch (err) {
      this.#report(err, event);
      return;
    }
    this.#handlers.dispatch(event, data);
  }

  #watch(name: string, client: RedisClient): void {
    client.on('error', (err: unknown) => {
      if (this.#closed) return;
      // node-redis reports every failed retry; log the first one of an outage only.
      if (!this.#dropped) {
        this.#log('warn', 'redis connection lost', { connection: name, error: err instanceof Error ? err.message : String(err) });
      }
      this.#dropped = true;
      this.#drops++;
    });
    client.on('reconnecting', () => {
      this.#dropped = true;
      this.#drops++;
    });
    client.on('ready', () => {
      void this.#onReady();
    });
  }

  async #onReady(): Promise<void> {
    if (!this.#dropped || this.#closed || this.#recovering || !this.#cmd.isReady || !this.#sub.isReady) return;
    this.#recovering = true;
    const generation = this.#drops;
    try {
      // Patterns confirmed before the outage were re-subscribed by node-redis before 'ready';
      // ones requested during the outage are subscribed now.
      for (const [id, pattern] of this.#wanted) {
        if (!this.#subscribed.has(pattern)) await this.#pSubscribe(pattern, id);
      }
      // A round trip proves both connections work, and gives a drop of the other connection
      // (killed at the same moment) time to be noticed, so handlers run once per outage.
      await this.#roundTrip();
    } catch (err) {
      this.#log('warn', 'redis recovery check failed, retrying', { error: err instanceof Error ? err.message : String(err) });
      this.#recovering = false;
      setTimeout(() => void this.#onReady(), this.#retryDelayMs).unref();
      return;
    }
    this.#recovering = false;
    if (generation !== this.#drops) {
      // Dropped again meanwhile: the next 'ready' runs recovery.
      void this.#onReady();
      return;
    }
    this.#dropped = false;
    this.#breaker.reset();
    this.#log('info', 'redis connection restored', { url: this.#url });
    await Promise.all(
      [...this.#reconnectHandlers].map(async (handler) => {
        try {
          await handler();
        } catch (err) {
          this.#report(err, 'reconnect');
        }
      }),
    );
  }

  /** Publish a `healthcheck:<uuid>` broadcast and wait until the subscriber receives it. */
  async #roundTrip(): Promise<void> {
    const event = `healthcheck:${randomUUID().replace(/-/g, '')}`;
    let off: Unsubscribe = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const arrived = new Promise<boolean>((resolve) => {
        off = this.once(event, () => resolve(true));
        timer = setTimeout(() => resolve(false), this.#healthTimeoutMs);
      });
      const payload = Buffer.from(encodePayload({ ts: Date.now() / 1000 }));
      await this.#cmd.publish(this.#prefix + BROADCAST + event, payload);
      if (!(await arrived)) {
        throw new EventBusError('BACKEND_UNAVAILABLE', `pub/sub round trip timed out after ${this.#healthTimeoutMs} ms`);
      }
    } finally {
      off();
      clearTimeout(timer);
    }
  }

  async #shutdown(client: RedisClient): Promise<void> {
    if (client.isReady) await client.close();
    else if (client.isOpen) client.destroy();
  }

  #assertOpen(op: string): void {
    if (this.#closed) throw new EventBusError('CLOSED', `Cannot ${op}: the Redis event bus is closed`);
  }
}
