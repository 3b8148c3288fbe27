import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { escapeGlob } from '../../src/index.js';
import { RedisEventBus, type RedisEventBusOptions } from '../../src/redis/index.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export type RawRedis = ReturnType<typeof createClient>;

/** A plain node-redis client for inspecting what the bus wrote (and for CLIENT KILL). */
export async function rawClient(): Promise<RawRedis> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', (err: unknown) => {
    throw err;
  });
  await client.connect();
  return client;
}

export function uniquePrefix(): string {
  return `hypha-test:${randomUUID()}:`;
}

/** Delete every key under `prefix`. */
export async function cleanupPrefix(raw: RawRedis, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of raw.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: 1000 })) keys.push(...batch);
  if (keys.length) await raw.del(keys);
}

/** Bus options for tests: quiet logs collected in `logs`, fast reconnection. */
export function testBusOptions(prefix: string, extra: Partial<RedisEventBusOptions> = {}): RedisEventBusOptions & { logs: string[] } {
  const logs: string[] = [];
  return {
    url: REDIS_URL,
    keyPrefix: prefix,
    reconnectMinDelayMs: 20,
    reconnectMaxDelayMs: 200,
    logger: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields)}`),
    logs,
    ...extra,
  };
}

export { RedisEventBus };
