import type { KeyValueStore } from '@hypha/eventbus';
import { AuthError } from './errors.js';

/** Where revoked tokens are remembered until they would have expired anyway. */
export interface TokenRevocationStore {
  /** Revoke `token`, which expires at `expiresAt` (seconds since epoch). */
  revoke(token: string, expiresAt: number): Promise<void>;
  isRevoked(token: string): Promise<boolean>;
}

/** Reference key: `revoked_token:<token>` = "revoked", TTL = the token's remaining life. */
export const REVOKED_TOKEN_PREFIX = 'revoked_token:';

/**
 * Revocations kept in any `KeyValueStore` (the Redis event bus in a cluster: they survive a
 * restart and are shared by every replica, and with reference servers using the same Redis).
 */
export class KeyValueRevocationStore implements TokenRevocationStore {
  readonly #store: KeyValueStore;

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  async revoke(token: string, expiresAt: number): Promise<void> {
    if (!token) throw new AuthError('INVALID_ARGUMENT', 'Cannot revoke an empty token');
    const remainingMs = Math.floor(expiresAt * 1000 - Date.now());
    if (!(remainingMs > 0)) throw new AuthError('INVALID_ARGUMENT', 'Token has already expired');
    await this.#store.set(REVOKED_TOKEN_PREFIX + token, 'revoked', { ttlMs: remainingMs });
  }

  async isRevoked(token: string): Promise<boolean> {
    return (await this.#store.get(REVOKED_TOKEN_PREFIX + token)) !== null;
  }
}
