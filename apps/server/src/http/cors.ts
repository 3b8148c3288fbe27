/** CORS: the functions-app headers (server-api §3.3) and the server-wide policy (§3). */
import type { Express, NextFunction, Request, Response } from 'express';

export function setAppCors(req: Request, res: Response): void {
  const origin = req.headers.origin;
  res.setHeader('Access-Control-Allow-Origin', typeof origin === 'string' && origin ? origin : '*');
  if (typeof origin === 'string' && credentialedOrigin(req, origin)) res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization,Content-Type');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
}

const EXPOSED = 'Content-Disposition, Content-Length, Content-Range, Content-Type, Accept-Ranges, ETag, Range';
const METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';

const CONFIGURED = Symbol('credentialed CORS origins');

/**
 * Whether `origin` was listed by name in `--allow-origins`: only those get credentialed CORS
 * (`Access-Control-Allow-Credentials`) and may send cookie-authenticated state-changing requests.
 * `*` lets any origin read responses, never with the visitor's cookies.
 */
export function credentialedOrigin(req: Request, origin: string): boolean {
  const configured = (req.app.locals as Record<symbol, ReadonlySet<string> | undefined>)[CONFIGURED];
  return configured !== undefined && configured.has(origin);
}

/** Records the origins `--allow-origins` names, for {@link credentialedOrigin}. */
export function configureCredentialedOrigins(app: Express, allowOrigins: readonly string[]): void {
  (app.locals as Record<symbol, ReadonlySet<string>>)[CONFIGURED] = new Set(allowOrigins.filter((o) => o !== '*'));
}

/**
 * The server-wide CORS policy (`--allow-origins`, default `*`): an allowed `Origin` is echoed
 * with `Vary: Origin`, with credentials only for origins listed by name; preflights are answered
 * here (400 for a disallowed origin, as the reference's CORS middleware does). `skip` exempts
 * paths (the apps proxy, which the reference serves outside its CORS middleware).
 */
export function corsMiddleware(allowOrigins: readonly string[], skip: (path: string) => boolean) {
  const any = allowOrigins.includes('*');
  const named = new Set(allowOrigins.filter((o) => o !== '*'));
  const allowed = (origin: string) => any || named.has(origin);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !origin || skip(req.path)) {
      next();
      return;
    }
    const preflight = req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';
    res.vary('Origin');
    if (!allowed(origin)) {
      if (preflight) res.status(400).type('text/plain').send('Disallowed CORS origin');
      else next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (named.has(origin)) res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (!preflight) {
      res.setHeader('Access-Control-Expose-Headers', EXPOSED);
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Methods', METHODS);
    const requested = req.headers['access-control-request-headers'];
    if (typeof requested === 'string' && requested) res.setHeader('Access-Control-Allow-Headers', requested);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(200).type('text/plain').send('OK');
  };
}
