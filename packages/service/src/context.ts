import { PermissionDeniedError } from './errors.js';

/** The user as the server injects it into a call's context (the fields a method reads). */
export interface ContextUser {
  id: string;
  is_anonymous?: boolean;
  roles?: string[];
  scope?: unknown;
}

/** The context the RPC layer injects into every built-in method (`require_context: true`). */
export interface CallContext<U extends ContextUser = ContextUser> {
  /** The caller's workspace. */
  ws: string;
  /** The caller, `<ws>/<client_id>`. */
  from: string;
  to?: string;
  user: U;
  [key: string]: unknown;
}

/** Checks that `context` is one the server injected; refuses the call otherwise. */
export function requireContext<U extends ContextUser = ContextUser>(context: unknown): CallContext<U> {
  const c = context as CallContext<U> | undefined;
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
