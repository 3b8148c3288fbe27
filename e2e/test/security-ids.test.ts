import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { npmHarness } from './compat-helpers/npm-client.js';
import { rawSession } from './helpers/raw-socket.js';
import { mintToken, userWith } from './helpers/test-server.js';

// Issue #10 item 5: service and client ids follow the id grammar with length limits, so nobody
// can plant `ws-user-carol/carol-prov:model` in their own workspace to shadow carol's service,
// very long ids get a clear error (not an internal regular-expression failure) and a client id
// with NUL is refused.

const h = npmHarness();
beforeAll(() => h.start());
afterEach(() => h.closeAll());
afterAll(() => h.stop());

const failure = (p: Promise<unknown>): Promise<Error | null> => p.then(() => null, (e: unknown) => e as Error);

describe('service id grammar', () => {
  for (const bad of ['ws-user-carol/carol-prov:model', 'a:b', 'star*', 'pipe|x', 'sp ace', 'nul\u0000x']) {
    it(`refuses to register the service id ${JSON.stringify(bad)}`, async () => {
      const api = await h.connect();
      const err = await failure(api.registerService({ id: bad, config: { visibility: 'public' }, f: () => 1 }));
      expect(err?.message).toMatch(/Invalid service id|cannot register a service for client|does not match the current workspace/);
    });
  }

  it('a planted look-alike cannot make carol\'s service ambiguous', async () => {
    const t = h.server();
    const carol = await h.connect({ token: mintToken(t.authConfig, userWith('carol', {})), client_id: 'carol-prov' });
    await carol.registerService({ id: 'model', config: { visibility: 'public' }, who: () => 'carol' });
    const mallory = await h.connect();
    await failure(mallory.registerService({ id: 'ws-user-carol/carol-prov:model', config: { visibility: 'public' }, who: () => 'mallory' }));
    const svc = await mallory.getService('ws-user-carol/carol-prov:model');
    expect(await svc.who()).toBe('carol');
  });

  it('refuses a service id longer than 256 characters with a clear error', async () => {
    const api = await h.connect();
    const err = await failure(api.registerService({ id: 'a'.repeat(300), config: { visibility: 'public' }, f: () => 1 }));
    expect(err?.message).toMatch(/Invalid service id: .* longer than 256 characters/);
  });

  it('answers a 100k-character lookup with a clear error, not an internal one', async () => {
    const api = await h.connect();
    const err = await failure(api.getService(`${api.config.workspace as string}/${'x'.repeat(100_000)}`));
    expect(err?.message).toMatch(/longer than \d+ characters/);
    expect(err?.message).not.toMatch(/regular expression/i);
    const listed = await failure(api.listServices({ workspace: api.config.workspace, service_id: 'y'.repeat(100_000) }));
    expect(listed?.message).toMatch(/longer than 256 characters/);
  });

  it('still accepts ordinary ids (letters, digits, - and _)', async () => {
    const api = await h.connect();
    await api.registerService({ id: 'my_service-v1', config: { visibility: 'public' }, f: () => 7 });
    const svc = await api.getService(`${api.config.workspace as string}/${api.config.client_id as string}:my_service-v1`);
    expect(await svc.f()).toBe(7);
  });
});

describe('client id grammar', () => {
  for (const [label, id] of [
    ['NUL', 'bad\u0000id'],
    ['a control character', 'bad\u0007id'],
    ['more than 256 characters', 'c'.repeat(300)],
  ] as const) {
    it(`refuses a client id with ${label}`, async () => {
      const raw = rawSession(h.server().wsUrl, { client_id: id });
      const first = await raw.first;
      expect(first.type).toBe('error');
      expect(String(first.message)).toMatch(/Invalid client id/);
      const closed = await raw.closed;
      expect(closed.code).not.toBe(1000);
    });
  }
});
