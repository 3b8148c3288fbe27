/**
 * The queue in a cluster: Redis lists with the reference's layout (`<prefix><ws>:q:<name>`, JSON
 * strings, LPUSH in and RPOP out), so every instance serves the same queues. Acknowledged delivery
 * keeps each reserved task in a list of its own (`<queue key>:r:<id>`) and its deadline in one
 * sorted set (`<prefix>q:reservations`); the move into the reservation list is a single Redis
 * operation, so a task is always somewhere in Redis whatever process dies. Every instance runs a
 * reaper that puts expired reservations back at the head of their queue.
 */
import { randomUUID } from 'node:crypto';
import { createClient, createClientPool } from 'redis';
import type { QueueBackend, Reservation } from './queue-backend.js';

type RedisClient = ReturnType<typeof createClient>;
type RedisPool = ReturnType<typeof createClientPool>;

export interface RedisQueueOptions {
  url: string;
  /** Prefix of every key (the server's `--redis-key-prefix`). */
  keyPrefix?: string;
  /** Most consumers that may wait at once on this instance (one connection each). @default 64 */
  maxWaiting?: number;
  /** How often expired reservations are looked for, in ms. @default 500 */
  reapIntervalMs?: number;
  /** Where reaper failures go (the reaper keeps running). */
  onError?: (msg: string, err: unknown) => void;
}

/** Extra seconds a blocking reserve's pre-registered deadline allows for the round trip. */
const BLOCK_GRACE_MS = 5_000;

const NOW_MS = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

const RESERVE_NOW = `${NOW_MS}
local v = redis.call('RPOP', KEYS[1])
if not v then return false end
redis.call('LPUSH', KEYS[2], v)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), ARGV[2])
return v`;

const SET_DEADLINE = `${NOW_MS}
if ARGV[3] == 'xx' then return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2]) end
return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])`;

const ACK = `local gone = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return gone`;

const NACK = `local v = redis.call('RPOP', KEYS[1])
if not v then return 0 end
redis.call('RPUSH', KEYS[2], v)
redis.call('ZREM', KEYS[3], ARGV[1])
return 1`;

const REAP = `${NOW_MS}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(due) do
  local i = string.find(m, '\\n', 1, true)
  local list = string.sub(m, 1, i - 1)
  local held = list .. ':r:' .. string.sub(m, i + 1)
  local v = redis.call('RPOP', held)
  while v do
    redis.call('RPUSH', list, v)
    v = redis.call('RPOP', held)
  end
  redis.call('ZREM', KEYS[1], m)
end
return #due`;

export class RedisQueueBackend implements QueueBackend {
  readonly #cmd: RedisClient;
  readonly #pool: RedisPool;
  readonly #prefix: string;
  readonly #reservations: string;
  readonly #timer: NodeJS.Timeout;
  readonly #onError: (msg: string, err: unknown) => void;
  #reaping = false;

  private constructor(cmd: RedisClient, pool: RedisPool, o: RedisQueueOptions) {
    this.#cmd = cmd;
    this.#pool = pool;
    this.#prefix = o.keyPrefix ?? '';
    this.#reservations = `${this.#prefix}q:reservations`;
    this.#onError = o.onError ?? ((msg, err) => console.error(JSON.stringify({ level: 'error', msg, error: String(err) })));
    this.#timer = setInterval(() => void this.reapExpired(), o.reapIntervalMs ?? 500);
    this.#timer.unref();
  }

  static async connect(o: RedisQueueOptions): Promise<RedisQueueBackend> {
    const cmd = createClient({ url: o.url, name: 'hypha-queue' });
    const pool = createClientPool({ url: o.url, name: 'hypha-queue-wait' }, { minimum: 1, maximum: o.maxWaiting ?? 64 });
    const fail = (err: unknown) => (o.onError ?? (() => undefined))('queue Redis connection error', err);
    cmd.on('error', fail);
    pool.on('error', fail);
    await Promise.all([cmd.connect(), pool.connect()]);
    return new RedisQueueBackend(cmd, pool, o);
  }

  /** The queue key a workspace's queue name maps to (with the key prefix). */
  key(key: string): string {
    return this.#prefix + key;
  }

  async push(key: string, payload: string): Promise<void> {
    await this.#cmd.lPush(this.key(key), payload);
  }

  async pop(key: string, timeoutSeconds: number): Promise<string | null> {
    if (timeoutSeconds <= 0) return this.#cmd.rPop(this.key(key));
    const got = await this.#pool.brPop(this.key(key), timeoutSeconds);
    return got ? got.element : null;
  }

  async length(key: string): Promise<number> {
    return this.#cmd.lLen(this.key(key));
  }

  async peek(key: string, n: number): Promise<string[]> {
    // The oldest tasks sit at the right end: the last n, read right to left, are the pop order.
    const items = await this.#cmd.lRange(this.key(key), -n, -1);
    return items.reverse();
  }

  async reserve(key: string, timeoutSeconds: number, visibilitySeconds: number): Promise<Reservation | null> {
    const list = this.key(key);
    const id = randomUUID();
    const held = `${list}:r:${id}`;
    const member = `${list}\n${id}`;
    const visibilityMs = String(Math.round(visibilitySeconds * 1000));
    const now = (await this.#cmd.eval(RESERVE_NOW, { keys: [list, held, this.#reservations], arguments: [visibilityMs, member] })) as string | null;
    if (now !== null) return { id, payload: now };
    if (timeoutSeconds <= 0) return null;
    // Registered before waiting, so a task moved by a wait whose answer never arrives (this
    // process died) still comes back once this longer deadline passes.
    const waitDeadline = String(Math.round((timeoutSeconds + visibilitySeconds) * 1000) + BLOCK_GRACE_MS);
    await this.#cmd.eval(SET_DEADLINE, { keys: [this.#reservations], arguments: [waitDeadline, member, 'nx'] });
    const payload = await this.#pool.blMove(list, held, 'RIGHT', 'LEFT', timeoutSeconds);
    if (payload === null) {
      await this.#cmd.zRem(this.#reservations, member);
      return null;
    }
    await this.#cmd.eval(SET_DEADLINE, { keys: [this.#reservations], arguments: [visibilityMs, member, 'xx'] });
    return { id, payload };
  }

  async ack(key: string, id: string): Promise<boolean> {
    const list = this.key(key);
    const gone = await this.#cmd.eval(ACK, { keys: [`${list}:r:${id}`, this.#reservations], arguments: [`${list}\n${id}`] });
    return gone === 1;
  }

  async nack(key: string, id: string): Promise<boolean> {
    const list = this.key(key);
    const back = await this.#cmd.eval(NACK, { keys: [`${list}:r:${id}`, list, this.#reservations], arguments: [`${list}\n${id}`] });
    return back === 1;
  }

  /** Puts reservations whose deadline passed back at the head of their queues. @returns how many. */
  async reapExpired(): Promise<number> {
    if (this.#reaping) return 0;
    this.#reaping = true;
    try {
      let total = 0;
      for (;;) {
        const n = (await this.#cmd.eval(REAP, { keys: [this.#reservations], arguments: ['100'] })) as number;
        total += n;
        if (n < 100) return total;
      }
    } catch (err) {
      this.#onError('queue reaper failed', err);
      return 0;
    } finally {
      this.#reaping = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    // Waiting consumers hold pool connections for up to their timeout: cut them off.
    this.#pool.destroy();
    await this.#cmd.close();
  }
}
