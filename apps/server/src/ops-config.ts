/**
 * Operator flags (server-api §6.7–6.10, §7): startup functions, static mounts, local accounts,
 * admin terminal, agent skills and the interactive shell. Parsed by `loadConfig` with the others.
 */
import { ConfigError } from './config-error.js';

export interface StaticMount {
  /** URL prefix, e.g. `/tests` (no trailing slash). */
  route: string;
  /** Directory served under it. */
  dir: string;
}

export interface OpsConfig {
  /** `PATH_OR_PACKAGE:export` entries, run in order at boot. */
  startupFunctions: string[];
  staticMounts: StaticMount[];
  enableLocalAuth: boolean;
  disableAgentSkills: boolean;
  enableAdminTerminal: boolean;
  /** Open a REPL over the running server's objects. */
  interactive: boolean;
}

export const OPS_FLAGS: Record<string, keyof OpsConfig> = {
  'startup-functions': 'startupFunctions',
  'static-mounts': 'staticMounts',
  'enable-local-auth': 'enableLocalAuth',
  'disable-agent-skills': 'disableAgentSkills',
  'enable-admin-terminal': 'enableAdminTerminal',
  interactive: 'interactive',
};

export const OPS_BOOLEAN_FLAGS = ['enable-local-auth', 'disable-agent-skills', 'enable-admin-terminal', 'interactive'];
/** Flags that take several values (`--static-mounts /a:x /b:y`, or repeated); the env form splits on whitespace. */
export const LIST_FLAGS = new Set(['startup-functions', 'static-mounts']);

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(/\s+/).filter((item) => item !== '');
}

export function parseStaticMount(entry: string): StaticMount {
  const colon = entry.indexOf(':');
  if (colon <= 0 || colon === entry.length - 1) {
    throw new ConfigError(`--static-mounts entries look like /route:DIR, got ${JSON.stringify(entry)}`);
  }
  let route = entry.slice(0, colon);
  if (!route.startsWith('/')) route = `/${route}`;
  route = route.replace(/\/+$/, '');
  if (route === '' || route.split('/').some((part) => part === '..' || part === '.')) {
    throw new ConfigError(`--static-mounts route must be a path like /static, got ${JSON.stringify(entry.slice(0, colon))}`);
  }
  return { route, dir: entry.slice(colon + 1) };
}

export function opsConfig(values: Record<string, string>, bool: (name: string, raw: string | undefined) => boolean, rootToken: string | null): OpsConfig {
  const startupFunctions = list(values['startup-functions']);
  for (const spec of startupFunctions) {
    const colon = spec.lastIndexOf(':');
    if (colon <= 0 || colon === spec.length - 1) {
      throw new ConfigError(`--startup-functions entries look like PATH_OR_PACKAGE:export, got ${JSON.stringify(spec)}`);
    }
  }
  const enableAdminTerminal = bool('enable-admin-terminal', values['enable-admin-terminal']);
  if (enableAdminTerminal && !rootToken) throw new ConfigError('--enable-admin-terminal needs --root-token');
  return {
    startupFunctions,
    staticMounts: list(values['static-mounts']).map(parseStaticMount),
    enableLocalAuth: bool('enable-local-auth', values['enable-local-auth']),
    disableAgentSkills: bool('disable-agent-skills', values['disable-agent-skills']),
    enableAdminTerminal,
    interactive: bool('interactive', values.interactive),
  };
}
