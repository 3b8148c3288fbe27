/**
 * What agent skills know about services, taken from the live server: the workspace manager's
 * method schemas (from a connected client's manager proxy) and every registered service's
 * `service_schema`. Only methods with a parameter schema are documented.
 */
import type { HyphaCore } from '@hypha/workspace';

export interface MethodDoc {
  name: string;
  description: string;
  /** JSON Schema properties in call order. */
  params: { name: string; schema: Record<string, unknown>; required: boolean }[];
}

export interface ServiceDoc {
  /** Slug used in URLs (`REFERENCE/<id>.md`). */
  id: string;
  name: string;
  description: string;
  /** Full service id, e.g. `public/builtin-x:artifact-manager`. */
  fullId: string;
  /** A class-like name for `SOURCE/` pages (`WorkspaceManager`). */
  className: string;
  builtin: boolean;
  methods: MethodDoc[];
}

type Schema = { name?: string; description?: string; parameters?: { properties?: Record<string, Record<string, unknown>>; required?: string[] } };

/** `lenient`: a method without a parameter schema is kept (built-in services list every method). */
export function methodFromSchema(name: string, schema: Schema, lenient = false): MethodDoc | null {
  if (!schema.parameters || typeof schema.parameters !== 'object') {
    return lenient ? { name, description: (schema.description ?? '').trim(), params: [] } : null;
  }
  const required = new Set(schema.parameters.required ?? []);
  const props = schema.parameters.properties ?? {};
  return {
    name,
    description: (schema.description ?? '').trim(),
    params: Object.entries(props)
      .filter(([key]) => key !== 'context')
      .map(([key, value]) => ({ name: key, schema: value, required: required.has(key) })),
  };
}

/** Methods of a `service_schema` (`{fn: {type: 'function', function: {...}}}`, nested maps flattened with dots). */
export function methodsOfServiceSchema(serviceSchema: Record<string, unknown> | null, prefix = '', lenient = false): MethodDoc[] {
  const out: MethodDoc[] = [];
  for (const [key, value] of Object.entries(serviceSchema ?? {})) {
    if (!value || typeof value !== 'object') continue;
    const v = value as { type?: string; function?: Schema };
    if (v.type === 'function' && v.function) {
      const m = methodFromSchema(`${prefix}${key}`, v.function, lenient);
      if (m) out.push(m);
    } else if (!('type' in v)) {
      out.push(...methodsOfServiceSchema(value as Record<string, unknown>, `${prefix}${key}.`, lenient));
    }
  }
  return out;
}

export const classNameOf = (id: string) =>
  id
    .split(/[-_]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');

/** Services of the server itself, with their documented names. */
const BUILTIN_NAMES: Record<string, string> = {
  'artifact-manager': 'Artifact Manager',
  'server-apps': 'Server Apps',
  's3-storage': 'S3 Storage',
  queue: 'Queue',
  'hypha-login': 'Hypha Login',
};

export interface ServiceCatalogDeps {
  core: HyphaCore;
  /** The manager's method schemas (name → schema), read from a live manager proxy. */
  managerSchemas(): Promise<Record<string, Schema>>;
}

export class ServiceCatalog {
  constructor(private readonly d: ServiceCatalogDeps) {}

  async workspaceManager(): Promise<ServiceDoc> {
    const schemas = await this.d.managerSchemas();
    const methods = Object.entries(schemas)
      .map(([name, s]) => methodFromSchema(name, s))
      .filter((m): m is MethodDoc => m !== null)
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      id: 'workspace-manager',
      name: 'Workspace Manager',
      description: 'The default service of every workspace: services, clients, tokens, workspaces and events.',
      fullId: '~',
      className: 'WorkspaceManager',
      builtin: true,
      methods,
    };
  }

  /** Documented services registered in `workspace` (protected ones too: the caller may read it). */
  async inWorkspace(workspace: string, onlyPublic = false): Promise<ServiceDoc[]> {
    const docs: ServiceDoc[] = [];
    const seen = new Set<string>();
    for (const key of await this.d.core.registry.find({ workspace })) {
      const info = await this.d.core.registry.get(key);
      if (!info || info.id.endsWith(':built-in') || info.id.endsWith(':default')) continue;
      if (onlyPublic && info.config.visibility !== 'public') continue;
      if (info.config.visibility === 'unlisted') continue;
      const slug = info.id.slice(info.id.indexOf(':') + 1).split('@')[0]!;
      if (seen.has(slug)) continue;
      const builtin = info.id.includes('/builtin-') && info.type !== 'functions';
      const methods = methodsOfServiceSchema(info.service_schema, '', builtin);
      // Services of clients count only with a described method (not just auto-generated names).
      if (methods.length === 0 || (!builtin && !methods.some((m) => m.description || m.params.length))) continue;
      seen.add(slug);
      docs.push({
        id: slug,
        name: BUILTIN_NAMES[slug] ?? (info.name || slug),
        description: info.description ?? '',
        fullId: info.id,
        className: classNameOf(slug),
        builtin,
        methods,
      });
    }
    return docs;
  }

  /** The manager, then the documented services of `public`, then those of `workspace`. */
  async all(workspace: string): Promise<ServiceDoc[]> {
    const out = [await this.workspaceManager(), ...(await this.inWorkspace('public', true))];
    if (workspace !== 'public') {
      const ids = new Set(out.map((s) => s.id));
      for (const s of await this.inWorkspace(workspace)) if (!ids.has(s.id)) out.push(s);
    }
    return out;
  }
}
