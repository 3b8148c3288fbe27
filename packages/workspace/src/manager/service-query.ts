/** Service-id and list-query grammar of the manager (rpc-protocol §8.3, server-api §1.2–1.3). */
import { InvalidInputError } from '../errors.js';

export interface ResolvedServiceId {
  workspace: string;
  clientId: string;
  serviceId: string;
  appId: string;
}

function countOf(s: string, c: string): number {
  return s.split(c).length - 1;
}

/** True for `~` and `<ws>/~`, the manager's own service. */
export function isManagerServiceId(id: string): boolean {
  return id === '~' || id.endsWith('/~');
}

/** Longest workspace, client, service, app or type id part accepted anywhere. */
export const MAX_ID_PART = 256;

/**
 * The name a client registers a service under: letters, digits, `-`, `_` and `.`, at most
 * {@link MAX_ID_PART} characters. `/`, `:`, `@`, `*` and `|` are separators and wildcards of the
 * id grammar, so a name holding them could impersonate another workspace's service in lookups.
 */
export function validateServiceName(name: string): string {
  if (name.length > MAX_ID_PART) {
    throw new InvalidInputError(`Invalid service id: ${JSON.stringify(name.slice(0, 32))}… is longer than ${MAX_ID_PART} characters`);
  }
  if (!/^[a-zA-Z0-9_.-]+$/.test(name)) {
    throw new InvalidInputError(
      `Invalid service id: ${JSON.stringify(name)}; a service id may only contain letters, digits, '-', '_' and '.'`,
    );
  }
  return name;
}

/** Allowed characters in query parts (reference `validate_key_part`). */
export function validateKeyPart(part: string, what: string): string {
  if (part.length > MAX_ID_PART) {
    throw new InvalidInputError(`Invalid ${what}: ${JSON.stringify(part.slice(0, 32))}… is longer than ${MAX_ID_PART} characters`);
  }
  if (!/^[a-zA-Z0-9\-_/|*.@:]*$/.test(part) || part.length === 0) {
    throw new InvalidInputError(`Invalid ${what}: ${JSON.stringify(part)} contains characters that are not allowed`);
  }
  return part;
}

export function resolveServiceId(serviceId: unknown, ctxWs: string): ResolvedServiceId {
  if (typeof serviceId !== 'string' || serviceId.length === 0) {
    throw new InvalidInputError('Service ID must be a non-empty string.');
  }
  if (serviceId.length > MAX_ID_PART * 3) {
    throw new InvalidInputError(`Invalid service id: ${JSON.stringify(serviceId.slice(0, 32))}… is longer than ${MAX_ID_PART * 3} characters`);
  }
  if (countOf(serviceId, '/') > 1) throw new InvalidInputError("Service id must contain at most one '/'");
  if (countOf(serviceId, ':') > 1) throw new InvalidInputError("Service id must contain at most one ':'");
  if (countOf(serviceId, '@') > 1) throw new InvalidInputError("Service id must contain at most one '@'");
  let id = serviceId;
  let appId = '*';
  const at = id.indexOf('@');
  if (at >= 0) {
    appId = id.slice(at + 1) || '*';
    id = id.slice(0, at);
  }
  let workspace = ctxWs;
  let rest = id;
  const slash = id.indexOf('/');
  if (slash >= 0) {
    workspace = id.slice(0, slash);
    rest = id.slice(slash + 1);
  }
  let clientId = '*';
  let svc = rest;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    clientId = rest.slice(0, colon);
    svc = rest.slice(colon + 1);
  }
  if (workspace === '*') {
    throw new InvalidInputError(
      'You must specify a workspace for the service query, otherwise please call list_services to find the service.',
    );
  }
  if (svc === '*' || svc === '') throw new InvalidInputError(`Invalid service id: ${serviceId}, it cannot be a wildcard.`);
  validateKeyPart(workspace, 'workspace');
  validateKeyPart(clientId, 'client id');
  validateKeyPart(svc, 'service id');
  validateKeyPart(appId, 'app id');
  return { workspace, clientId, serviceId: svc, appId };
}

export interface ListQuery {
  visibility: string;
  workspace: string;
  client_id: string;
  service_id: string;
  type: string;
  app_id: string;
}

const QUERY_KEYS = new Set(['visibility', 'workspace', 'client_id', 'service_id', 'type', 'app_id']);

/** Normalises the string and map forms of a `list_services` query. */
export function normaliseListQuery(query: unknown, ctxWs: string): ListQuery {
  const q: ListQuery = { visibility: '*', workspace: ctxWs, client_id: '*', service_id: '*', type: '*', app_id: '*' };
  if (query === null || query === undefined) return q;
  if (typeof query === 'string') {
    if (query.includes('/') && query.includes(':')) {
      const [ws, rest] = query.split('/', 2) as [string, string];
      const [cid, svc] = rest.split(':', 2) as [string, string | undefined];
      q.client_id = cid;
      q.service_id = svc ?? '*';
      if (ws === '*') q.visibility = 'public';
      q.workspace = ws;
    } else if (query.includes(':')) {
      const [cid, svc] = query.split(':', 2) as [string, string | undefined];
      q.client_id = cid;
      q.service_id = svc ?? '*';
    } else if (query.includes('/')) {
      const [ws, svc] = query.split('/', 2) as [string, string | undefined];
      q.service_id = svc || '*';
      if (ws === '*') q.visibility = 'public';
      q.workspace = ws;
    } else {
      q.workspace = query;
    }
  } else if (typeof query === 'object' && !Array.isArray(query)) {
    const m = { ...(query as Record<string, unknown>) };
    if ('id' in m) {
      if ('service_id' in m) throw new InvalidInputError("Cannot specify both 'id' and 'service_id' in the query.");
      m.service_id = m.id;
      delete m.id;
    }
    const bad = Object.keys(m).filter((k) => !QUERY_KEYS.has(k));
    if (bad.length) throw new InvalidInputError(`Invalid query keys: {${bad.map((k) => `'${k}'`).join(', ')}}`);
    for (const k of Object.keys(m) as Array<keyof ListQuery>) {
      const v = m[k];
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string') throw new InvalidInputError(`Invalid query value for ${k}: must be a string`);
      q[k] = v;
    }
  } else {
    throw new InvalidInputError('Invalid query: expected a string, a map or null');
  }
  const at = q.service_id.indexOf('@');
  if (at >= 0) {
    const app = q.service_id.slice(at + 1);
    if (q.app_id !== '*' && q.app_id !== app) throw new InvalidInputError(`App id mismatch: ${q.app_id} != ${app}`);
    q.app_id = app;
    q.service_id = q.service_id.slice(0, at);
  }
  for (const k of QUERY_KEYS) validateKeyPart(q[k as keyof ListQuery], k);
  return q;
}
