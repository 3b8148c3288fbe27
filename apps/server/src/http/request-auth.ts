/**
 * Who is calling over HTTP (server-api §2.6 "Token sources (HTTP)"): the `Authorization` header
 * (`Bearer x`, `Basic base64(user:token)` or a raw token), else the `access_token` cookie, else
 * (where a route allows it) the `token` query parameter. A token that is present but invalid is a
 * 401; no token means the HTTP anonymous user (read on `ws-anonymous`).
 */
import type { Request } from 'express';
import { assertGeneralAccess, extractTokenFromAuthorization, extractTokenFromCookie, isAuthError } from '@hypha/auth';
import type { AuthService, UserInfo } from '@hypha/auth';
import { credentialedOrigin } from './cors.js';
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
  if (token !== null && !extractTokenFromAuthorization(req.headers.authorization) && token === extractTokenFromCookie(req.headers.cookie)) {
    refuseCrossSiteCookie(req);
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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request authenticated by the `access_token` cookie must come from this
 * server's own pages or from an origin configured with `--allow-origins` (issue #10 item 7):
 * otherwise any web site could act with a visitor's cookie. Requests without an `Origin` header
 * (non-browser clients) are not affected.
 */
function refuseCrossSiteCookie(req: Request): void {
  if (SAFE_METHODS.has(req.method) || !extractTokenFromCookie(req.headers.cookie)) return;
  const origin = req.headers.origin;
  const fetchSite = req.headers['sec-fetch-site'];
  const crossSiteFetch = fetchSite === 'cross-site' || fetchSite === 'same-site';
  if (typeof origin !== 'string' || origin === '') {
    if (crossSiteFetch) throw new HttpError(403, 'Cross-site request refused: cookie credentials are only accepted from the same origin');
    return;
  }
  const own = `${req.protocol}://${String(req.headers.host ?? '')}`;
  if (origin === own || credentialedOrigin(req, origin)) return;
  throw new HttpError(
    403,
    `Cross-site request refused: cookie credentials from origin ${origin} are only accepted from the same origin or an origin listed in --allow-origins`,
  );
}
