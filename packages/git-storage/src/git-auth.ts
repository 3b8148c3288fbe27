/**
 * Credentials of git requests: `Basic base64(git:<token>)` (the username must be `git`) or
 * `Bearer <token>`. Failures are HTTP errors with the challenge git clients answer to.
 */

/** An HTTP failure of a git route; `headers` go out with it. */
export class GitHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GitHttpError';
  }
}

export const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Git Repository"' };

export function unauthorized(message = 'Authentication required', extra: Record<string, string> = {}): GitHttpError {
  return new GitHttpError(401, message, { ...BASIC_CHALLENGE, ...extra });
}

/**
 * The token in an `Authorization` header, or null when there is none.
 * @throws GitHttpError 401 for a Basic username other than `git` or an unreadable header
 */
export function gitToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme!)) {
    if (!value) throw unauthorized('Invalid authentication credentials');
    return value;
  }
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized('Invalid authentication credentials');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (user !== 'git') throw unauthorized("Username must be 'git'. Use 'git' as username and your token as password.");
    if (!password) throw unauthorized('Invalid authentication credentials');
    return password;
  }
  throw unauthorized('Invalid authentication credentials');
}
