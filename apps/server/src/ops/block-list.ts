/**
 * The admin block list (server-api §2.8): blocked user ids and client IPs, kept in the event bus's
 * key-value store (`blocked:user:<id>`, `blocked:ip:<ip>`) with their expiry, so every instance of
 * a cluster enforces them. A duration of 0 blocks for 30 days.
 */
import type { KeyValueStore } from '@hypha/eventbus';
import type { IncomingMessage } from 'node:http';

const THIRTY_DAYS = 30 * 24 * 3600;

export interface BlockEntry {
  id: string;
  reason: string;
  ttl_seconds: number;
}

type Kind = 'user' | 'ip';

export class BlockList {
  constructor(private readonly kv: KeyValueStore) {}

  private key(kind: Kind, id: string): string {
    return `blocked:${kind}:${id}`;
  }

  async block(kind: Kind, id: string, durationSeconds: number, reason: string): Promise<void> {
    if (!id) throw new Error(`block_${kind}: the ${kind === 'user' ? 'user id' : 'IP'} must not be empty`);
    if (!(durationSeconds >= 0)) throw new Error(`block_${kind}: duration must be >= 0 seconds, got ${durationSeconds}`);
    const seconds = durationSeconds === 0 ? THIRTY_DAYS : durationSeconds;
    const value = JSON.stringify({ reason, expires_at: Date.now() + seconds * 1000 });
    await this.kv.set(this.key(kind, id), value, { ttlMs: seconds * 1000 });
  }

  async unblock(kind: Kind, id: string): Promise<boolean> {
    return (await this.kv.del(this.key(kind, id))) > 0;
  }

  /** The reason when `id` is blocked, else null. */
  async reason(kind: Kind, id: string): Promise<string | null> {
    const raw = await this.kv.get(this.key(kind, id));
    if (raw === null) return null;
    const entry = JSON.parse(raw) as { reason: string; expires_at: number };
    return entry.expires_at > Date.now() ? entry.reason : null;
  }

  async list(): Promise<{ users: BlockEntry[]; ips: BlockEntry[] }> {
    const out = { users: [] as BlockEntry[], ips: [] as BlockEntry[] };
    for (const [kind, bucket] of [['user', out.users], ['ip', out.ips]] as const) {
      for (const key of await this.kv.scan(`blocked:${kind}:*`)) {
        const raw = await this.kv.get(key);
        if (raw === null) continue;
        const entry = JSON.parse(raw) as { reason: string; expires_at: number };
        const ttl = Math.floor((entry.expires_at - Date.now()) / 1000);
        if (ttl > 0) bucket.push({ id: key.slice(`blocked:${kind}:`.length), reason: entry.reason, ttl_seconds: ttl });
      }
    }
    return out;
  }
}

/** The client address: the first `X-Forwarded-For` entry, else the peer address. */
export function clientIp(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || '';
}
