/**
 * Agent skills (server-api §6.10, server-api-2 §G): documents generated from the live services,
 * served at `/{workspace}/agent-skills/<path>`, `/ws/agent-skills/<path>` (global) and, as the
 * `public/agent-skills` functions service, at `/public/apps/agent-skills/<path>`.
 */
import { ZipArchive } from 'archiver';
import { checkPermission } from '@hypha/auth';
import type { UserInfo } from '@hypha/auth';
import type { ServiceCatalog, ServiceDoc } from './service-docs.js';
import { referenceMd, serviceReferenceMd } from './reference-md.js';
import { globalSkillMd, skillMd } from './skill-md.js';
import { examplesMd } from './examples-md.js';
import { sourceMethodMd, sourceServiceMd, workspaceContextMd } from './context-md.js';
import { guides } from './guides.js';

export interface SkillResponse {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

const MD = 'text/markdown; charset=utf-8';
const FILES = ['SKILL.md', 'REFERENCE.md', 'EXAMPLES.md', 'WORKSPACE_CONTEXT.md'];
const md = (body: string, status = 200): SkillResponse => ({ status, contentType: MD, body });
const text = (body: string, status: number): SkillResponse => ({ status, contentType: 'text/plain; charset=utf-8', body });
const json = (value: unknown, status = 200): SkillResponse => ({ status, contentType: 'application/json', body: JSON.stringify(value) });

export class AgentSkills {
  constructor(
    private readonly catalog: ServiceCatalog,
    private readonly base: () => string,
    private readonly version: string,
  ) {}

  /** Answers one path for a workspace (`null`: the global skill). Checks the caller's access first. */
  async render(workspace: string | null, path: string, user: UserInfo): Promise<SkillResponse> {
    if (workspace !== null && workspace !== 'public') {
      if (user.is_anonymous) {
        return json({ error: 'Authentication required', message: `Workspace ${workspace} needs a valid token: send Authorization: Bearer <token>` }, 401);
      }
      if (!checkPermission(user, workspace, 'r')) {
        return json({ error: 'Permission denied', message: `You have no access to workspace ${workspace}` }, 403);
      }
    }
    const ws = workspace ?? 'public';
    const base = this.base();
    const services = await this.catalog.all(ws);
    const clean = path.replace(/^\/+/, '');
    const guide = /^GUIDE\/([\w.-]+)$/.exec(clean);
    if (guide) {
      const doc = guides(base)[guide[1]!];
      return doc ? md(doc) : text(`Guide not found: ${guide[1]}. Available guides: ${Object.keys(guides(base)).join(', ')}`, 404);
    }
    if (clean === '' || clean === 'index.json') return json(this.index(workspace, services));
    if (['create-zip-file', 'download.zip', 'skills.zip'].includes(clean)) return this.zip(ws, workspace === null, services, user);
    const doc = await this.document(ws, workspace === null, clean, services, user);
    if (doc) return doc;
    return text(`Not found: ${clean}. Files: ${FILES.join(', ')}, REFERENCE/<service>.md, SOURCE/<service>, GUIDE/<doc>.md, create-zip-file`, 404);
  }

  private index(workspace: string | null, services: ServiceDoc[]) {
    const enabled = services.filter((s) => s.builtin).map((s) => s.id);
    const out: Record<string, unknown> = {
      name: 'hypha',
      version: this.version,
      description: 'Agent skill for the Hypha server: connect, discover and call services, manage tokens, artifacts and apps.',
      server_url: this.base(),
      workspace: workspace ?? 'public',
      files: FILES,
      reference_files: services.map((s) => `REFERENCE/${s.id}.md`),
      download: { zip: 'create-zip-file' },
      source_endpoints: enabled.map((id) => `SOURCE/${id}`),
      enabled_services: enabled,
      dynamic_services: services.filter((s) => !s.builtin).map((s) => s.id),
    };
    if (workspace === null) {
      out.type = 'global';
      out.workspace_skills_pattern = `${this.base()}/{workspace}/agent-skills/`;
    }
    return out;
  }

  private async document(ws: string, global: boolean, path: string, services: ServiceDoc[], user: UserInfo): Promise<SkillResponse | null> {
    const base = this.base();
    const publicServices = ws === 'public' ? [] : await this.catalog.inWorkspace('public', true);
    const ctx = { base, workspace: ws, version: this.version, services, publicServices };
    if (path === 'SKILL.md') return md(global ? globalSkillMd(ctx) : skillMd(ctx));
    if (path === 'REFERENCE.md') return md(referenceMd(services, base, ws));
    if (path === 'EXAMPLES.md') return md(examplesMd(base, ws));
    if (path === 'WORKSPACE_CONTEXT.md') return md(workspaceContextMd(base, ws, user, services));
    const ref = /^REFERENCE\/(.+)\.md$/.exec(path);
    if (ref) {
      const s = services.find((x) => x.id === ref[1]);
      if (s) return md(serviceReferenceMd(s, base, ws));
      return text(`Service not found: ${ref[1]}. Available services: ${services.map((x) => x.id).join(', ')}`, 404);
    }
    const src = /^SOURCE\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (src) {
      const s = services.find((x) => x.id === src[1] && x.builtin);
      if (!s) return text(`Unknown service: ${src[1]}. Available services: ${services.filter((x) => x.builtin).map((x) => x.id).join(', ')}`, 404);
      if (!src[2]) return md(sourceServiceMd(s));
      const m = s.methods.find((x) => x.name === src[2]);
      if (!m) return text(`Method not found: ${src[2]} in ${s.id}. Methods: ${s.methods.map((x) => x.name).join(', ')}`, 404);
      return md(sourceMethodMd(s, m));
    }
    return null;
  }

  private async zip(ws: string, global: boolean, services: ServiceDoc[], user: UserInfo): Promise<SkillResponse> {
    const entries: [string, string][] = [];
    for (const name of FILES) entries.push([name, (await this.document(ws, global, name, services, user))!.body as string]);
    for (const s of services) entries.push([`REFERENCE/${s.id}.md`, serviceReferenceMd(s, this.base(), ws)]);
    for (const s of services.filter((x) => x.builtin)) {
      entries.push([`SOURCE/${s.id}.md`, sourceServiceMd(s)]);
      for (const m of s.methods) entries.push([`SOURCE/${s.id}/${m.name}.md`, sourceMethodMd(s, m)]);
    }
    for (const [name, doc] of Object.entries(guides(this.base()))) entries.push([`GUIDE/${name}`, doc]);
    const archive = new ZipArchive({ zlib: { level: 6 } });
    const chunks: Buffer[] = [];
    archive.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve, reject) => {
      archive.on('end', () => resolve());
      archive.on('error', reject);
    });
    const date = new Date();
    for (const [name, body] of entries) archive.append(Buffer.from(body, 'utf8'), { name, date });
    await archive.finalize();
    await done;
    const body = Buffer.concat(chunks);
    return {
      status: 200,
      contentType: 'application/zip',
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      headers: { 'Content-Disposition': `attachment; filename="hypha-skills-${ws}.zip"` },
    };
  }
}
