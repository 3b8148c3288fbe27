/**
 * App manifests (`ApplicationManifest`): validation that names the bad field, the defaults an
 * installed app gets, and `validate_app_manifest`'s report.
 */
import { InvalidArgumentError } from '@hypha/service';
import { autoscalingErrors } from './autoscaler.js';

/** An app manifest as stored in the app artifact (extra keys are kept). */
export interface AppManifest {
  id?: string | null;
  name: string;
  type: string;
  version: string;
  description?: string;
  entry_point?: string;
  daemon?: boolean;
  singleton?: boolean;
  worker_managed?: boolean;
  disabled?: boolean;
  services?: Array<Record<string, unknown>>;
  service_ids?: string[];
  startup_config?: StartupConfig;
  startup_context?: { ws: string; user: Record<string, unknown> };
  service_selection_mode?: string | null;
  autoscaling?: Record<string, unknown> | null;
  source_hash?: string;
  [key: string]: unknown;
}

export interface StartupConfig {
  timeout?: number | null;
  wait_for_service?: string | boolean | null;
  additional_kwargs?: Record<string, unknown> | null;
  stop_after_inactive?: number | null;
}

/** App types the reference validates without a warning. */
const KNOWN_TYPES = ['window', 'web-worker', 'web-python', 'mcp-server', 'a2a-agent'];

const FIELD_TYPES: Record<string, 'string' | 'boolean' | 'number' | 'object' | 'array'> = {
  name: 'string',
  type: 'string',
  version: 'string',
  description: 'string',
  entry_point: 'string',
  daemon: 'boolean',
  singleton: 'boolean',
  worker_managed: 'boolean',
  disabled: 'boolean',
  passive: 'boolean',
  tags: 'array',
  requirements: 'array',
  startup_config: 'object',
  autoscaling: 'object',
  env: 'object',
  service_selection_mode: 'string',
};

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/** The errors of a manifest, each naming its field; empty when valid. */
export function manifestErrors(manifest: unknown): string[] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return [`manifest must be an object, got ${kindOf(manifest)}`];
  }
  const m = manifest as Record<string, unknown>;
  const errors: string[] = [];
  for (const field of ['name', 'type', 'version']) {
    if (m[field] === undefined || m[field] === null || m[field] === '') errors.push(`Missing required field: ${field}`);
  }
  for (const [field, want] of Object.entries(FIELD_TYPES)) {
    const value = m[field];
    if (value === undefined || value === null) continue;
    if (kindOf(value) !== want) errors.push(`Field '${field}' must be a ${want}, got ${kindOf(value)}`);
  }
  const sai = (m.startup_config as Record<string, unknown> | undefined)?.stop_after_inactive;
  if (sai !== undefined && sai !== null && typeof sai !== 'number') errors.push(`Field 'startup_config.stop_after_inactive' must be a number, got ${kindOf(sai)}`);
  if (kindOf(m.autoscaling) === 'object') errors.push(...autoscalingErrors(m.autoscaling));
  if (m.type === 'mcp-server') errors.push(...mcpErrors(m.mcpServers));
  if (m.type === 'a2a-agent') errors.push(...a2aErrors(m.a2aAgents));
  return errors;
}

function mcpErrors(servers: unknown): string[] {
  if (servers === undefined) return [];
  if (kindOf(servers) !== 'object') return [`Field 'mcpServers' must be an object, got ${kindOf(servers)}`];
  const out: string[] = [];
  for (const [name, cfg] of Object.entries(servers as Record<string, unknown>)) {
    if (kindOf(cfg) !== 'object') {
      out.push(`Field 'mcpServers.${name}' must be an object`);
      continue;
    }
    const c = cfg as Record<string, unknown>;
    if (!c.type) out.push(`Field 'mcpServers.${name}.type' is required`);
    if (!c.url) out.push(`Field 'mcpServers.${name}.url' is required`);
  }
  return out;
}

function a2aErrors(agents: unknown): string[] {
  if (agents === undefined) return [];
  if (kindOf(agents) !== 'object') return [`Field 'a2aAgents' must be an object, got ${kindOf(agents)}`];
  return Object.entries(agents as Record<string, unknown>)
    .filter(([, cfg]) => kindOf(cfg) !== 'object' || !(cfg as Record<string, unknown>).url)
    .map(([name]) => `Field 'a2aAgents.${name}.url' is required`);
}

/** `validate_app_manifest`: `{valid, errors, warnings, suggestions}`. */
export function validateAppManifest(manifest: unknown): { valid: boolean; errors: string[]; warnings: string[]; suggestions: string[] } {
  const errors = manifestErrors(manifest);
  const warnings: string[] = [];
  const suggestions: string[] = [];
  const m = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as Record<string, unknown>;
  if (typeof m.type === 'string' && !KNOWN_TYPES.includes(m.type)) {
    warnings.push(`Unusual app type '${m.type}'; common types are: ${KNOWN_TYPES.join(', ')}`);
  }
  if (m.type === 'mcp-server' && m.mcpServers && typeof m.mcpServers === 'object') {
    for (const [name, cfg] of Object.entries(m.mcpServers as Record<string, Record<string, unknown>>)) {
      const t = cfg?.type;
      if (typeof t === 'string' && t !== 'streamable-http' && t !== 'stdio') warnings.push(`mcpServers.${name}.type '${t}' is unusual; use 'streamable-http'`);
    }
  }
  if (!m.description) suggestions.push("Add a 'description' so users know what the app does");
  return { valid: errors.length === 0, errors, warnings, suggestions };
}

/** Throws an InvalidArgumentError naming every bad field. */
export function assertValidManifest(manifest: unknown): asserts manifest is AppManifest {
  const errors = manifestErrors(manifest);
  if (errors.length > 0) throw new InvalidArgumentError(`Invalid app manifest: ${errors.join('; ')}`);
}

/** Whether the app id (alias) is acceptable: letters, digits, `-` and `_`. */
export function assertValidAppId(appId: string): void {
  if (!/^[a-zA-Z0-9_-]+$/.test(appId)) {
    throw new InvalidArgumentError(`Invalid app id '${appId}': use only letters, digits, '-' and '_'`);
  }
}
