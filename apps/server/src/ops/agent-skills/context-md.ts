/** WORKSPACE_CONTEXT.md (the caller's view of one workspace) and the SOURCE/ pages. */
import type { UserInfo } from '@hypha/auth';
import type { MethodDoc, ServiceDoc } from './service-docs.js';

export function workspaceContextMd(base: string, workspace: string, user: UserInfo, services: ServiceDoc[]): string {
  const perm = user.scope.workspaces[workspace] ?? user.scope.workspaces['*'] ?? (workspace === 'public' ? 'r' : 'none');
  return `# Workspace Context

## Workspace Information

| field | value |
| --- | --- |
| workspace | \`${workspace}\` |
| server | ${base} |
| you are | ${user.is_anonymous ? 'an anonymous user' : `user \`${user.id}\``} |
| your permission here | \`${perm}\` |

## Capabilities

${services.map((s) => `- **${s.name}** (\`${s.id}\`): ${s.methods.length} methods, see [REFERENCE/${s.id}.md](REFERENCE/${s.id}.md)`).join('\n')}

## Quick Access URLs

- Services of this workspace: ${base}/${workspace}/services
- Workspace manager status: ${base}/${workspace}/services/~/check_status
- This skill: ${base}/${workspace}/agent-skills/SKILL.md
- Apps: ${base}/${workspace}/apps/<service_id>/
`;
}

const pyType = (schema: Record<string, unknown>): string => {
  const t = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  return ({ string: 'str', integer: 'int', number: 'float', boolean: 'bool', object: 'dict', array: 'list', null: 'None' } as Record<string, string>)[String(t)] ?? 'Any';
};

/** A Python stub of how a method is called (generated from its schema; the server is not written in Python). */
export function methodStub(m: MethodDoc): string {
  const args = m.params.map((p) => {
    const base = `${p.name}: ${pyType(p.schema)}`;
    if (p.required) return base;
    const d = p.schema.default;
    return `${base} = ${d === undefined || d === null ? 'None' : typeof d === 'boolean' ? (d ? 'True' : 'False') : JSON.stringify(d)}`;
  });
  const doc = (m.description || m.name).replace(/"""/g, "'''");
  return `async def ${m.name}(${args.join(', ')}):\n    """${doc}"""\n`;
}

export function sourceServiceMd(s: ServiceDoc): string {
  return `# Source Code Reference: ${s.className}

Service \`${s.id}\` (${s.name}). This server is written in TypeScript; each method page shows the
call signature generated from the method's schema, as a Python stub, and its parameters.

## Available Methods

${s.methods.map((m) => `- [\`${m.name}\`](SOURCE/${s.id}/${m.name}): ${(m.description.split('\n')[0] ?? '').trim()}`).join('\n')}
`;
}

export function sourceMethodMd(s: ServiceDoc, m: MethodDoc): string {
  return `# ${s.className}.${m.name}

${m.description}

\`\`\`python
${methodStub(m)}\`\`\`
`;
}
