import { describe, expect, it } from 'vitest';
import type { UserInfo } from '@hypha/auth';
import { ListingCache } from '../src/artifacts/listing-cache.js';

const user = (id: string, workspaces: Record<string, string> = {}): UserInfo => ({
  id, roles: [], is_anonymous: false, email: `${id}@example.com`, parent: null, expires_at: null, current_workspace: null,
  scope: { workspaces: workspaces as UserInfo['scope']['workspaces'], current_workspace: null, client_id: null, extra_scopes: [] },
});

describe('artifact listing cache', () => {
  it('keys on the caller (id and scope) and the query, ignoring no_cache and token', () => {
    const k = (u: UserInfo, q: Record<string, unknown>) => ListingCache.key('children', 'ws', 'col', u, q);
    expect(k(user('a'), { limit: '1', no_cache: 'false', token: 'x' })).toBe(k(user('a'), { limit: '1' }));
    expect(k(user('a'), { limit: '1', offset: '0' })).toBe(k(user('a'), { offset: '0', limit: '1' }));
    expect(k(user('a'), {})).not.toBe(k(user('b'), {}));
    expect(k(user('a'), {})).not.toBe(k(user('a', { ws: 'r' }), {}));
    expect(k(user('a'), { limit: '1' })).not.toBe(k(user('a'), { limit: '2' }));
  });

  it('forgets entries after the TTL', () => {
    let now = 1000;
    const cache = new ListingCache(60_000, () => now);
    cache.set('k', '[1]');
    now += 59_999;
    expect(cache.get('k')).toBe('[1]');
    now += 1;
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps at most 1000 entries, dropping the oldest', () => {
    const cache = new ListingCache();
    for (let i = 0; i <= 1000; i++) cache.set(`k${i}`, String(i));
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k1')).toBe('1');
    expect(cache.get('k1000')).toBe('1000');
  });
});
