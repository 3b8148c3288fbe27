/** SKILL.md: the entry document of the agent skill, for one workspace or for the whole server. */
import type { ServiceDoc } from './service-docs.js';

export interface SkillContext {
  base: string;
  workspace: string;
  version: string;
  services: ServiceDoc[];
  /** Public services visible from the workspace (for a workspace other than `public`). */
  publicServices: ServiceDoc[];
}

function frontmatter(c: SkillContext, description: string): string {
  return [
    '---',
    'name: hypha',
    `description: ${JSON.stringify(description)}`,
    'metadata:',
    `  version: ${JSON.stringify(c.version)}`,
    `  server_url: ${JSON.stringify(c.base)}`,
    `  workspace: ${JSON.stringify(c.workspace)}`,
    '---',
    '',
  ].join('\n');
}

export function quickStart(base: string, workspace: string): string {
  return `## Quick Start

Install the client with \`pip install hypha-rpc\` (Python) or \`npm install hypha-rpc\` (JavaScript).

\`\`\`python
import asyncio
from hypha_rpc import connect_to_server

async def main():
    async with connect_to_server({"server_url": "${base}"}) as server:
        print("connected to", server.config.workspace)
        services = await server.list_services("${workspace}")
        print([s["id"] for s in services])

asyncio.run(main())
\`\`\`

\`\`\`javascript
import { connectToServer } from "hypha-rpc";

const server = await connectToServer({ server_url: "${base}" });
console.log("connected to", server.config.workspace);
const services = await server.listServices("${workspace}");
console.log(services.map((s) => s.id));
await server.disconnect();
\`\`\`

\`\`\`bash
curl "${base}/${workspace}/services"
curl "${base}/${workspace}/services/~/check_status"
\`\`\`
`;
}

export function authSection(base: string): string {
  return `## Authentication

- **Anonymous**: connect without a token. You get a temporary workspace of your own and can use public services; good for testing and for public services.
- **Token-Based**: pass a token, in Python \`connect_to_server({"server_url": "${base}", "token": "<token>"})\`, in JavaScript \`{ token }\`, over HTTP with the header \`Authorization: Bearer <token>\`.
- **Interactive login (OAuth)**: \`from hypha_rpc import login\`, then \`token = await login({"server_url": "${base}"})\` prints a login URL for a person to open.

Create tokens for programs with \`generate_token\`; the permission is \`read\`, \`read_write\` or \`admin\`:

\`\`\`python
from hypha_rpc import connect_to_server

async with connect_to_server({"server_url": "${base}", "token": "<your token>"}) as server:
    token = await server.generate_token({"permission": "read_write", "expires_in": 3600})
\`\`\`

\`\`\`bash
curl -H "Authorization: Bearer <token>" "${base}/<workspace>/services"
\`\`\`
`;
}

const ERRORS = `## Error Reference

| error (Python / JavaScript) | meaning | what to do |
| --- | --- | --- |
| \`KeyError\` / "Service not found" | no such service, or you may not see it | check the id with \`list_services\` |
| \`PermissionError\` / "Permission denied" | your token lacks the permission | ask for a token with more permission |
| \`TimeoutError\` / "Method call timed out" | the provider did not answer in time | retry, or check that the provider is connected |
| \`ValueError\` / "Invalid ..." | a bad argument | read the parameter list in \`REFERENCE/<service>.md\` |
| HTTP 401 | missing or invalid token | send \`Authorization: Bearer <token>\` |
`;

function servicesTable(title: string, services: ServiceDoc[]): string {
  const rows = services.map((s) => `| \`${s.id}\` | ${s.name} | [REFERENCE/${s.id}.md](REFERENCE/${s.id}.md) |`);
  return [`## ${title}`, '', '| id | name | reference |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

export function skillMd(c: SkillContext): string {
  const builtins = c.services.filter((s) => s.builtin);
  const own = c.services.filter((s) => !s.builtin);
  const parts = [
    frontmatter(c, `Use the Hypha server at ${c.base} (workspace ${c.workspace}): connect, discover and call services, register your own, manage tokens, artifacts and server apps.`),
    `# Hypha Workspace: ${c.workspace}`,
    '',
    `Hypha connects programs through services. This skill describes workspace \`${c.workspace}\` on ${c.base}.`,
    'Read [REFERENCE.md](REFERENCE.md) for the API overview, [REFERENCE/workspace-manager.md](REFERENCE/workspace-manager.md) and the other',
    'per-service pages for every method, [EXAMPLES.md](EXAMPLES.md) for code, and [WORKSPACE_CONTEXT.md](WORKSPACE_CONTEXT.md) for this workspace.',
    '',
    quickStart(c.base, c.workspace),
    `## DO and DON'T

- DO reuse one connection for many calls; DON'T connect per call.
- DO look up a service with \`get_service\` and call its methods with keyword arguments.
- DO keep tokens secret; DON'T paste them into public code.
- DON'T register a service id that another client owns unless you mean to replace it (\`overwrite\`).
`,
    authSection(c.base),
    servicesTable('Built-in Services', builtins),
  ];
  if (own.length) parts.push(servicesTable('Available Services', own));
  if (c.publicServices.length) parts.push(servicesTable('Public Services', c.publicServices));
  parts.push(
    `## Capabilities Overview

- **Service Management**: \`register_service\`, \`get_service\`, \`list_services\`, \`unregister_service\`.
- **Token & Permission Management**: \`generate_token\`, \`revoke_token\`, permissions \`read\` / \`read_write\` / \`admin\`.
- **Artifact Management**: the \`artifact-manager\` service stores files and datasets.
- **Server Applications**: the \`server-apps\` service installs and starts apps.
- **MCP Integration** and **A2A Protocol**: services can be exposed to MCP and A2A clients when the server enables them.
- **Vector Search**: artifacts of type vector-collection support \`search_vectors\`.
`,
    ERRORS,
  );
  return parts.join('\n');
}

export function globalSkillMd(c: SkillContext): string {
  return [
    frontmatter(c, `Global guide to the Hypha server at ${c.base}: how to connect, authenticate and find the workspace-specific skills.`),
    '# Hypha Platform Guide',
    '',
    'This is the global skill of the server, not tied to one workspace. Workspace-Specific skills, with the services of one',
    `workspace, are served at \`${c.base}/<workspace>/agent-skills/\` (for example \`${c.base}/public/agent-skills/SKILL.md\`).`,
    'See [REFERENCE.md](REFERENCE.md), [REFERENCE/workspace-manager.md](REFERENCE/workspace-manager.md) and [EXAMPLES.md](EXAMPLES.md).',
    '',
    quickStart(c.base, 'public'),
    authSection(c.base),
    '## Guides',
    '',
    '- [GUIDE/asgi-apps.md](GUIDE/asgi-apps.md): serve a web app (ASGI) through Hypha.',
    '- [GUIDE/serverless-functions.md](GUIDE/serverless-functions.md): serve HTTP endpoints from plain functions.',
    '',
    ERRORS,
  ].join('\n');
}
