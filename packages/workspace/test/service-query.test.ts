import { describe, expect, it } from 'vitest';
import { normaliseListQuery, parseServiceKey, resolveServiceId, serviceKey, serviceKeyPattern } from '../src/internal.js';

describe('service id grammar', () => {
  it('resolves the short forms relative to the caller workspace', () => {
    expect(resolveServiceId('hello', 'ws-a')).toEqual({ workspace: 'ws-a', clientId: '*', serviceId: 'hello', appId: '*' });
    expect(resolveServiceId('c1:hello', 'ws-a')).toEqual({ workspace: 'ws-a', clientId: 'c1', serviceId: 'hello', appId: '*' });
    expect(resolveServiceId('ws-b/hello@app', 'ws-a')).toEqual({ workspace: 'ws-b', clientId: '*', serviceId: 'hello', appId: 'app' });
    expect(() => resolveServiceId('*/hello', 'ws-a')).toThrow(/You must specify a workspace/);
    expect(() => resolveServiceId('a/b/c', 'ws-a')).toThrow(/at most one '\/'/);
  });

  it('round-trips the registry key grammar and escapes glob characters', () => {
    const parts = { visibility: 'public', type: 'built-in', workspace: 'ws-a', clientId: 'c1', serviceId: 'built-in', appId: '*' };
    const key = serviceKey(parts);
    expect(key).toBe('services:public|built-in:ws-a/c1:built-in@*');
    expect(parseServiceKey(key)).toEqual(parts);
    expect(serviceKeyPattern({ workspace: 'ws-a', clientId: 'c[1]' })).toBe('services:*|*:ws-a/c\\[1\\]:*@*');
  });

  it('normalises list queries and rejects unknown keys', () => {
    expect(normaliseListQuery('*/svc', 'ws-a')).toMatchObject({ workspace: '*', visibility: 'public', service_id: 'svc' });
    expect(normaliseListQuery({ id: 'svc@app' }, 'ws-a')).toMatchObject({ workspace: 'ws-a', service_id: 'svc', app_id: 'app' });
    expect(() => normaliseListQuery({ bogus: 1 }, 'ws-a')).toThrow(/Invalid query keys/);
  });
});
