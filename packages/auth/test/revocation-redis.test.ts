import { randomUUID } from 'node:crypto';
import { MemoryKeyValueStore } from '@hypha/eventbus';
import { RedisEventBus } from '@hypha/eventbus/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService, KeyValueRevocationStore, createAuthConfig } from '../src/index.js';

const prefix = `hypha-test:${randomUUID()}:`;
const config = createAuthConfig({ jwtSecret: 'redis-revocation-secret' });
const options = { url: 'redis://127.0.0.1:6379', keyPrefix: prefix, logger: () => undefined };
const user = { id: 'carol', roles: [], is_anonymous: false, scope: { workspaces: { lab: 'rw' as const } } };

afterAll(async () => {
  const bus = await RedisEventBus.connect(options);
  const keys = await bus.scan('*');
  if (keys.length) await bus.del(...keys);
  await bus.close();
});

describe('token revocation over Redis', () => {
  it('is shared between instances and survives a restart', async () => {
    const busA = await RedisEventBus.connect(options);
    const busB = await RedisEventBus.connect(options);
    const authA = new AuthService({ config, revocations: new KeyValueRevocationStore(busA) });
    const authB = new AuthService({ config, revocations: new KeyValueRevocationStore(busB) });
    const token = authA.generateToken(user, { expiresIn: 300 });
    expect((await authB.resolveToken(token)).id).toBe('carol');

    await authA.revokeToken(token);
    await expect(authB.resolveToken(token)).rejects.toThrow(/^Token has been revoked$/);
    expect(await busB.get(`revoked_token:${token}`)).toBe('revoked');

    // "Restart": close both, then a new instance on the same Redis.
    await busA.close();
    await busB.close();
    const busC = await RedisEventBus.connect(options);
    try {
      const authC = new AuthService({ config, revocations: new KeyValueRevocationStore(busC) });
      await expect(authC.resolveToken(token)).rejects.toThrow(/^Token has been revoked$/);
      const fresh = authC.generateToken({ ...user, id: 'dave' }, { expiresIn: 300 });
      expect((await authC.resolveToken(fresh)).id).toBe('dave');
    } finally {
      await busC.close();
    }
  });

  it('refuses to revoke an already expired token', async () => {
    const store = new KeyValueRevocationStore(new MemoryKeyValueStore());
    await expect(store.revoke('t', Date.now() / 1000 - 1)).rejects.toThrow(/Token has already expired/);
  });
});
