/**
 * Redis keys of the cluster's liveness mechanism. `hypha:leader` is the reference server's leader
 * lease (server-api §8.2: value = server id, `NX PX`); the per-server liveness record has no
 * reference counterpart (the reference pings the servers listed in `public` instead).
 */

export const LEADER_KEY = 'hypha:leader';

/** A string with a TTL, refreshed by the server's heartbeat; its absence means the server is dead. */
export function serverAliveKey(serverId: string): string {
  return `hypha:server:${serverId}`;
}
