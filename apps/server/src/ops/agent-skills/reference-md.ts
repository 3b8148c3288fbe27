/** REFERENCE.md (an overview linking to one page per service) and REFERENCE/<service>.md. */
import type { MethodDoc, ServiceDoc } from './service-docs.js';

const typeOf = (schema: Record<string, unknown>): string => {
  const t = schema.type;
  if (Array.isArray(t)) return t.join(' | ');
  if (typeof t === 'string') return t;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Record<string, unknown>[]).map(typeOf).join(' | ');
  return 'any';
};

/** One method: heading, description and parameters (`**Parameters:**` even when there are none). */
export function methodMarkdown(m: MethodDoc): string {
  const lines = [`### ${m.name}`, '', m.description || '(no description)', '', '**Parameters:**', ''];
  if (m.params.length === 0) lines.push('- none');
  for (const p of m.params) {
    const desc = typeof p.schema.description === 'string' ? p.schema.description : '';
    let line = `- \`${p.name}\` (${typeOf(p.schema)})${p.required ? ' *(required)*' : ''}: ${desc}`;
    if (!p.required && 'default' in p.schema) line += ` Default: \`${JSON.stringify(p.schema.default)}\``;
    lines.push(line);
  }
  const args = m.params.map((p) => p.name).join(', ');
  lines.push('', `Call: \`await svc.${m.name}(${args})\``, '');
  return lines.join('\n');
}

export function serviceReferenceMd(s: ServiceDoc, base: string, workspace: string): string {
  const svcPath = s.id === 'workspace-manager' ? '~' : s.id;
  const where = s.id === 'workspace-manager' ? workspace : s.fullId.split('/')[0]!;
  const lines = [
    `# ${s.name} API Reference`,
    '',
    s.description,
    '',
    `Service id: \`${s.fullId}\`. ${s.methods.length} documented methods, generated from the live schemas of this server.`,
    '',
    '## Quick Access',
    '',
    '```python',
    'from hypha_rpc import connect_to_server',
    '',
    `async with connect_to_server({"server_url": "${base}"}) as server:`,
    s.id === 'workspace-manager' ? '    svc = server  # the manager is the connection object itself' : `    svc = await server.get_service("${where}/${s.id}")`,
    '```',
    '',
    '```javascript',
    'import { connectToServer } from "hypha-rpc";',
    `const server = await connectToServer({ server_url: "${base}" });`,
    s.id === 'workspace-manager' ? 'const svc = server;' : `const svc = await server.getService("${where}/${s.id}");`,
    '```',
    '',
    '```bash',
    `curl "${base}/${where}/services/${svcPath}/<method>?<param>=<value>"`,
    '```',
    '',
    '## Methods',
    '',
  ];
  for (const m of s.methods) lines.push(methodMarkdown(m));
  return lines.join('\n');
}

const KEY_METHODS: Record<string, string[]> = {
  'workspace-manager': ['list_services', 'get_service', 'register_service', 'generate_token', 'create_workspace', 'list_clients'],
  'artifact-manager': ['create', 'read', 'list', 'edit', 'commit', 'put_file', 'get_file', 'search'],
  'server-apps': ['install', 'start', 'stop', 'list_apps', 'list_running', 'uninstall', 'get_logs'],
};

const SECTION_NOTES: Record<string, [string, string]> = {
  'workspace-manager': ['Workspace Manager', 'Every connection is also a handle on its workspace manager: register and discover services, list clients, mint tokens, manage workspaces and subscribe to events.'],
  'artifact-manager': ['Artifact Manager', 'Stores datasets, models and files as versioned artifacts in collections, with manifests, staged edits, file uploads by presigned URL and search.'],
  'server-apps': ['Server Apps', 'Installs and runs applications (ASGI web apps, serverless functions, browser and Python apps) from source, and manages their sessions.'],
};

export function referenceMd(services: ServiceDoc[], base: string, workspace: string): string {
  const byId = new Map(services.map((s) => [s.id, s]));
  const lines = [
    '# Hypha API Reference',
    '',
    `Overview of the services of the server at ${base} (workspace \`${workspace}\`). Each service has a page`,
    'with every method and its parameters under `REFERENCE/<service-id>.md`.',
    '',
    '## Connection Methods',
    '',
    '| client | how to connect |',
    '| --- | --- |',
    '| Python | `from hypha_rpc import connect_to_server`, then `async with connect_to_server({"server_url": ...}) as server` |',
    '| JavaScript | `import { connectToServer } from "hypha-rpc"`, then `await connectToServer({ server_url: ... })` |',
    '| HTTP | `GET`/`POST` on `/{workspace}/services/{service_id}/{method}` with `Authorization: Bearer <token>` |',
    '',
    '## Services',
    '',
    '| service | id | methods |',
    '| --- | --- | --- |',
  ];
  for (const s of services) lines.push(`| ${s.name} | \`${s.id}\` | [${s.methods.length} methods](REFERENCE/${s.id}.md) |`);
  lines.push('');
  for (const id of ['workspace-manager', 'artifact-manager', 'server-apps']) {
    const [title, note] = SECTION_NOTES[id]!;
    const live = byId.get(id);
    const keys = live ? KEY_METHODS[id]!.filter((k) => live.methods.some((m) => m.name === k)) : KEY_METHODS[id]!;
    lines.push(`## ${title}`, '', note, '', `Key methods: ${keys.map((k) => `\`${k}\``).join(', ')}.`, '');
    lines.push(live ? `Full reference: [REFERENCE/${id}.md](REFERENCE/${id}.md)` : `Full reference: REFERENCE/${id}.md (the service is not enabled on this server).`, '');
  }
  const others = services.filter((s) => !SECTION_NOTES[s.id]);
  if (others.length) {
    lines.push('## Other Services', '');
    for (const s of others) lines.push(`- **${s.name}** (\`${s.id}\`): ${s.description || 'no description'} Key methods: ${s.methods.slice(0, 5).map((m) => `\`${m.name}\``).join(', ')}. See [REFERENCE/${s.id}.md](REFERENCE/${s.id}.md).`);
    lines.push('');
  }
  lines.push(
    '## HTTP Endpoints Reference',
    '',
    '| method | path | what |',
    '| --- | --- | --- |',
    '| GET | `/health/liveness` | the server is up |',
    '| GET | `/{workspace}/services` | list the services you may see |',
    '| GET/POST | `/{workspace}/services/{service_id}/{method}` | call a method (query string or JSON body as keyword arguments) |',
    '| ANY | `/{workspace}/apps/{service_id}/{path}` | ASGI and functions apps |',
    '| GET | `/{workspace}/agent-skills/` | these documents (`SKILL.md`, `REFERENCE.md`, `EXAMPLES.md`, `WORKSPACE_CONTEXT.md`) |',
    '| GET | `/{workspace}/artifacts/{alias}/files/{path}` | download an artifact file |',
    '| WS | `/ws` | the hypha-rpc WebSocket endpoint |',
    '',
  );
  return lines.join('\n');
}
