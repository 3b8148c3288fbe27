/**
 * The token carried by an HTTP `Authorization` header: `Bearer <t>`, `Basic base64(user:<t>)`
 * (git clients put the token in the password) or a raw token. Undefined when there is none.
 */
export function extractTokenFromAuthorization(header: string | null | undefined): string | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const lower = value.toLowerCase();
  if (lower.startsWith('bearer ')) return value.slice(7).trim() || undefined;
  if (lower.startsWith('basic ')) {
    const decoded = Buffer.from(value.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
  }
  return value;
}

/** The `access_token` cookie from a `Cookie` header, if present. */
export function extractTokenFromCookie(header: string | null | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'access_token') return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
