import type { UserInfo } from '@hypha/auth';
import { PermissionDeniedError } from '../errors.js';

/** The context the RPC layer injects into every manager method (`require_context: true`). */
export interface CallContext {
  ws: string;
  from: string;
  to?: string;
  user: UserInfo;
  [key: string]: unknown;
}

export function requireContext(context: unknown): CallContext {
  const c = context as CallContext | undefined;
  if (!c || typeof c.ws !== 'string' || typeof c.from !== 'string' || !c.user) {
    throw new PermissionDeniedError('Permission denied: the call carries no valid context');
  }
  return c;
}

/** The caller's bare client id (`from` is `<ws>/<cid>`). */
export function callerClientId(ctx: CallContext): string {
  const slash = ctx.from.lastIndexOf('/');
  return slash < 0 ? ctx.from : ctx.from.slice(slash + 1);
}

/** The caller's full id `<ws>/<cid>`. */
export function callerFullId(ctx: CallContext): string {
  return ctx.from.includes('/') ? ctx.from : `${ctx.ws}/${ctx.from}`;
}
