/**
 * Who is calling over HTTP (server-api §2.6 "Token sources (HTTP)"): the `Authorization` header
 * (`Bearer x`, `Basic base64(user:token)` or a raw token), else the `access_token` cookie, else
 * (where a route allows it) the `token` query parameter. A token that is present but invalid is a
 * 401; no token means the HTTP anonymous user (read on `ws-anonymous`).
 */
import type { Request } from 'express';
import { assertGeneralAccess, extractTokenFromAuthorization, extractTokenFromCookie, isAuthError } from '@hypha/auth';
import type { AuthService, UserInfo } from '@hypha/auth';
import { HttpError } from './http-errors.js';
import { requestScope } from '../ops/request-scope.js';

export interface Caller {
  user: UserInfo;
  /** The token the caller presented, if any. */
  token: string | null;
}

export function tokenFrom(req: Request, allowQuery: boolean): string | null {
  const token = extractTokenFromAuthorization(req.headers.authorization) ?? extractTokenFromCookie(req.headers.cookie);
  if (token) return token;
  if (allowQuery && typeof req.query.token === 'string' && req.query.token) return req.query.token;
  return null;
}

/**
 * `specializedScopes: 'checked-by-route'` is for the routes that check `resource:action` extra
 * scopes themselves (artifact files); everywhere else a specialized token is refused with 403.
 */
export async function authenticate(
  auth: AuthService,
  req: Request,
  allowQuery = true,
  specializedScopes: 'refused' | 'checked-by-route' = 'refused',
): Promise<Caller> {
  let token: string | null;
  let user: UserInfo;
  try {
    token = (await auth.customRequestToken(requestScope(req, 'http'))) ?? tokenFrom(req, allowQuery);
    user = await auth.resolveToken(token, { anonymous: 'http' });
  } catch (err) {
    throw new HttpError(401, `Invalid token: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (specializedScopes === 'refused') {
    try {
      assertGeneralAccess(user);
    } catch (err) {
      if (!isAuthError(err)) throw err;
      throw new HttpError(403, err.message, { cause: err });
    }
  }
  return { user, token };
}
