/** The `wid:<workspace>` scope of a JWT, read without verification (spec §2.3). */
export function workspaceFromToken(token: string | null | undefined): string | null {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  let payload: { scope?: unknown };
  try {
    const base64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    payload = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
  } catch {
    // Not a JWT we can read (e.g. a root token): the server resolves the workspace.
    return null;
  }
  const match = typeof payload.scope === 'string' ? /(?:^|\s)wid:(\S+)/.exec(payload.scope) : null;
  return match ? match[1]! : null;
}
