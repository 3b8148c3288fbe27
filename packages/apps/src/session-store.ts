/**
 * Running sessions, kept in the event bus's key-value side (`sessions:<ws>/<client_id>` hashes,
 * list/dict values as `json_list:`/`json_dict:` fields, booleans as 0/1, like the reference), so
 * every instance of a cluster sees and can stop them.
 */
import type { KeyValueStore } from '@hypha/eventbus';

export interface AppSession {
  id: string;
  app_id: string;
  workspace: string;
  client_id: string;
  app_type: string;
  entry_point?: string | null;
  name?: string;
  description?: string;
  version?: string | null;
  source_hash?: string | null;
  worker_id: string;
  daemon: boolean;
  worker_managed: boolean;
  status?: string;
  service_id?: string;
  services?: Array<Record<string, unknown>>;
  config?: Record<string, unknown>;
  session_id: string;
  /** The server instance that started it (for cluster cleanup). */
  server_id?: string;
  stop_after_inactive?: number;
  [key: string]: unknown;
}

const PREFIX = 'sessions:';

function encode(session: AppSession): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(session)) {
    if (key.startsWith('_') || value === undefined || value === null) continue;
    if (Array.isArray(value)) out[`json_list:${key}`] = JSON.stringify(value);
    else if (typeof value === 'object') out[`json_dict:${key}`] = JSON.stringify(value);
    else if (typeof value === 'boolean') out[key] = value ? '1' : '0';
    else out[key] = typeof value === 'number' ? `num:${value}` : String(value);
  }
  return out;
}

const BOOLEAN_FIELDS = new Set(['daemon', 'worker_managed', 'singleton', 'autoscaling']);

function decode(hash: Record<string, string>): AppSession {
  const out: Record<string, unknown> = {};
  for (const [field, raw] of Object.entries(hash)) {
    if (field.startsWith('json_list:') || field.startsWith('json_dict:')) out[field.slice(10)] = JSON.parse(raw);
    else if (BOOLEAN_FIELDS.has(field)) out[field] = raw === '1' || raw === 'true';
    else if (raw.startsWith('num:')) out[field] = Number(raw.slice(4));
    else out[field] = raw;
  }
  return out as AppSession;
}

export class SessionStore {
  constructor(private readonly kv: KeyValueStore) {}

  async put(session: AppSession, ttlMs?: number): Promise<void> {
    const key = PREFIX + session.id;
    await this.kv.del(key);
    await this.kv.hSet(key, encode(session));
    if (ttlMs) {
      // Expire by re-setting nothing: the store has no EXPIRE, so mark the deadline instead.
      await this.kv.hSet(key, { expires_at: `num:${Date.now() + ttlMs}` });
    }
  }

  async get(id: string): Promise<AppSession | null> {
    const hash = await this.kv.hGetAll(PREFIX + id);
    if (!hash || Object.keys(hash).length === 0) return null;
    const s = decode(hash);
    if (typeof s.expires_at === 'number' && s.expires_at < Date.now()) {
      await this.delete(id);
      return null;
    }
    return s;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.kv.del(PREFIX + id)) > 0;
  }

  /** Sessions of one workspace, or of all (`*`). */
  async list(workspace: string | '*'): Promise<AppSession[]> {
    const pattern = workspace === '*' ? `${PREFIX}*` : `${PREFIX}${workspace.replace(/[*?[\]\\]/g, '\\$&')}/*`;
    const out: AppSession[] = [];
    for (const key of await this.kv.scan(pattern)) {
      const s = await this.get(key.slice(PREFIX.length));
      if (s) out.push(s);
    }
    return out;
  }
}
