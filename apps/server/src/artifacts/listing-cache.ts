/**
 * The 60-second cache of the artifact listing routes (`/{ws}/artifacts/`, `/children`,
 * `/-/search`), as the reference keeps one; `no_cache=true` skips it. Unlike the reference's,
 * whose key ignores the caller, an entry here belongs to one caller identity (id, scope, roles),
 * so one user's listing is never served to another. Per server instance, bounded in size.
 */
import type { UserInfo } from '@hypha/auth';

export const LISTING_TTL_MS = 60_000;
const MAX_ENTRIES = 1000;

export class ListingCache {
  private readonly entries = new Map<string, { expires: number; body: string }>();

  constructor(private readonly ttlMs = LISTING_TTL_MS, private readonly now: () => number = Date.now) {}

  /** The key of a listing: route, workspace, artifact, caller and the query (without `no_cache`). */
  static key(route: string, workspace: string, alias: string, user: UserInfo, query: Record<string, unknown>): string {
    const params = Object.entries(query).filter(([k]) => k !== 'no_cache' && k !== 'token').sort(([a], [b]) => (a < b ? -1 : 1));
    const caller = [user.id, user.scope, user.roles, user.email, user.parent];
    return JSON.stringify([route, workspace, alias, caller, params]);
  }

  get(key: string): string | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.body;
  }

  set(key: string, body: string): void {
    this.entries.delete(key);
    this.entries.set(key, { expires: this.now() + this.ttlMs, body });
    // Maps iterate in insertion order: the first entries are the oldest.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(oldest);
    }
  }
}
