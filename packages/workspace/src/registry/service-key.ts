/**
 * The reference registry key grammar (server-api §8.2):
 * `services:<visibility>|<type>:<workspace>/<client_id>:<service_id>@<app_id>`.
 */

export interface ServiceKeyParts {
  visibility: string;
  type: string;
  workspace: string;
  clientId: string;
  serviceId: string;
  appId: string;
}

const PREFIX = 'services:';

/** Escapes glob metacharacters so a literal part matches only itself in a SCAN pattern. */
export function escapeGlob(part: string): string {
  return part.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/** `*` stays a wildcard; anything else is matched literally. */
function globPart(part: string): string {
  return part === '*' ? '*' : escapeGlob(part);
}

export function serviceKey(p: ServiceKeyParts): string {
  return `${PREFIX}${p.visibility}|${p.type}:${p.workspace}/${p.clientId}:${p.serviceId}@${p.appId}`;
}

/** A SCAN pattern; every part given as `*` is a wildcard. */
export function serviceKeyPattern(p: Partial<ServiceKeyParts>): string {
  const g = (v: string | undefined): string => globPart(v ?? '*');
  return `${PREFIX}${g(p.visibility)}|${g(p.type)}:${g(p.workspace)}/${g(p.clientId)}:${g(p.serviceId)}@${g(p.appId)}`;
}

export function parseServiceKey(key: string): ServiceKeyParts {
  if (!key.startsWith(PREFIX)) throw new Error(`Not a service key: ${key}`);
  const rest = key.slice(PREFIX.length);
  const bar = rest.indexOf('|');
  const colon = rest.indexOf(':', bar);
  const full = rest.slice(colon + 1);
  const slash = full.indexOf('/');
  const colon2 = full.indexOf(':', slash);
  const at = full.lastIndexOf('@');
  if (bar < 0 || colon < 0 || slash < 0 || colon2 < 0 || at < colon2) throw new Error(`Malformed service key: ${key}`);
  return {
    visibility: rest.slice(0, bar),
    type: rest.slice(bar + 1, colon),
    workspace: full.slice(0, slash),
    clientId: full.slice(slash + 1, colon2),
    serviceId: full.slice(colon2 + 1, at),
    appId: full.slice(at + 1),
  };
}
