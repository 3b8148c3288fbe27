/**
 * Registers `public/queue`: tasks in this process on embedded defaults, in Redis (next to the
 * event bus, under the same key prefix) when the server runs as one instance of a cluster.
 */
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import { createQueueService, MemoryQueueBackend, RedisQueueBackend } from '@hypha/queue';
import type { QueueBackend } from '@hypha/queue';
import { PermissionDeniedError, toRpcService } from '@hypha/service';
import type { Authorize } from '@hypha/service';
import type { HyphaCore } from '@hypha/workspace';

export interface MountQueueOptions {
  core: HyphaCore;
  redisUri?: string | null;
  redisKeyPrefix?: string | null;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

/** A declared method's permission, checked in the caller's own workspace. */
export const authorizeInCallerWorkspace: Authorize = (ctx, permission) => {
  if (permission === 'none') return;
  if (!checkPermission(ctx.user as unknown as UserInfo, ctx.ws, permission)) {
    throw new PermissionDeniedError(`Permission denied for workspace ${ctx.ws}`);
  }
};

export async function mountQueue(o: MountQueueOptions): Promise<{ close(): Promise<void> }> {
  const backend: QueueBackend = o.redisUri
    ? await RedisQueueBackend.connect({
        url: o.redisUri,
        keyPrefix: o.redisKeyPrefix ?? '',
        onError: (msg, err) => o.log('error', msg, { error: err instanceof Error ? err.message : String(err) }),
      })
    : new MemoryQueueBackend();
  try {
    await o.core.builtins.register(toRpcService(createQueueService(backend), { authorize: authorizeInCallerWorkspace }), { workspace: 'public' });
  } catch (err) {
    await backend.close();
    throw err;
  }
  return { close: () => backend.close() };
}
