import './setup-websocket.js';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSilently } from './silent-client.js';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';

const run = promisify(execFile);
const ROOT_TOKEN = 'Vf3-qN8wL2-xK7pR5dM9-zC4hJ6tB1gY0eS';
let server: RunningServer;
let root: any;

beforeAll(async () => {
  server = await startServer({ port: 0, quiet: true, rootToken: ROOT_TOKEN });
  root = await connectSilently({ server_url: server.url, token: ROOT_TOKEN });
});

afterAll(async () => {
  await root.disconnect();
  await server.close();
});

const get = (path: string, token?: string) => fetch(`${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
const codeBlocks = (md: string, lang: string) => [...md.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe('agent skills', () => {
  it('serves the index and the documents of the public workspace, with CORS', async () => {
    const index = await (await get('/public/agent-skills/')).json();
    expect(index).toMatchObject({ name: 'hypha', files: ['SKILL.md', 'REFERENCE.md', 'EXAMPLES.md', 'WORKSPACE_CONTEXT.md'], download: { zip: 'create-zip-file' } });
    expect(index.enabled_services).toContain('workspace-manager');
    for (const file of index.files) {
      const res = await get(`/public/agent-skills/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
    const skill = await (await get('/public/agent-skills/SKILL.md')).text();
    expect(skill).toMatch(/^---\nname: hypha\ndescription: ".+"\nmetadata:\n {2}version: ".+"\n {2}server_url: "http:\/\/127\.0\.0\.1:\d+"\n {2}workspace: "public"\n---\n/);
    expect(skill).toContain('# Hypha Workspace: public');
    expect((await get('/public/agent-skills/NOPE.md')).status).toBe(404);
  });

  it('documents the workspace manager from its live schemas', async () => {
    const ref = await (await get('/public/agent-skills/REFERENCE/workspace-manager.md')).text();
    expect(ref).toContain('# Workspace Manager API Reference');
    expect(ref).toMatch(/### register_service\n\n.+\n\n\*\*Parameters:\*\*\n\n- `service` \(object\) \*\(required\)\*/);
    const src = await get('/public/agent-skills/SOURCE/workspace-manager/list_services');
    expect(await src.text()).toMatch(/```python\nasync def list_services\(/);
    expect((await get('/public/agent-skills/SOURCE/workspace-manager/nope')).status).toBe(404);
  });

  it('documents services of a workspace that have schemas, for callers with a token only', async () => {
    const greet = Object.assign((name: string) => `Hello, ${name}!`, {
      __schema__: { name: 'greet', description: 'Greet someone.', parameters: { type: 'object', properties: { name: { type: 'string', description: 'Name to greet' } }, required: ['name'] } },
    });
    await root.registerService({ id: 'skills-greeter', name: 'Skills Greeter', config: { visibility: 'protected' }, greet });
    await root.registerService({ id: 'skills-plain', name: 'Plain', plain: () => 'x' });
    const ws = root.config.workspace;
    expect((await get(`/${ws}/agent-skills/SKILL.md`)).status).toBe(401);
    const index = await (await get(`/${ws}/agent-skills/`, ROOT_TOKEN)).json();
    // services with schemas only (the login service of `public` declares its parameters too)
    expect(index.dynamic_services).toContain('skills-greeter');
    expect(index.dynamic_services).not.toContain('skills-plain');
    const page = await (await get(`/${ws}/agent-skills/REFERENCE/skills-greeter.md`, ROOT_TOKEN)).text();
    expect(page).toContain('# Skills Greeter API Reference');
    expect(page).toContain('- `name` (string) *(required)*: Name to greet');
    expect((await get(`/${ws}/agent-skills/REFERENCE/skills-plain.md`, ROOT_TOKEN)).status).toBe(404);
  });

  it('serves the global skill, the guides and a zip of everything', async () => {
    const index = await (await get('/ws/agent-skills/')).json();
    expect(index.type).toBe('global');
    expect(await (await get('/ws/agent-skills/GUIDE/asgi-apps.md')).text()).toContain('FastAPI');
    const zip = await get('/public/agent-skills/create-zip-file');
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(bytes.includes(Buffer.from('SOURCE/workspace-manager.md'))).toBe(true);
  });

  it('its JavaScript Quick Start runs as written against the server', async () => {
    const skill = await (await get('/public/agent-skills/SKILL.md')).text();
    const [example] = codeBlocks(skill, 'javascript');
    const file = fileURLToPath(new URL(`./fixtures/.skill-example-${process.pid}.mjs`, import.meta.url));
    const preload = fileURLToPath(new URL('./fixtures/node-websocket.mjs', import.meta.url));
    await writeFile(file, example!);
    try {
      const { stdout } = await run(process.execPath, ['--import', preload, file], { timeout: 20_000 });
      expect(stdout).toMatch(/^connected to ws-user-anonymouz-/m);
      expect(stdout).toContain('agent-skills');
    } finally {
      await rm(file, { force: true });
    }
  });
});
