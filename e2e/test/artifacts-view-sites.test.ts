import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactClients, kw, type Proxy } from './helpers/artifact-clients.js';
import { artifactBackend, BACKENDS, type ArtifactBackend } from './helpers/artifact-backends.js';
import { mintToken, startTestServer, userWith, type TestServer } from './helpers/test-server.js';

// View sites (`/{ws}/view/{alias}/…`): an artifact with config.view_config served as a static
// site, with templates rendered from its manifest and the caller, custom headers, staged files,
// a root directory, and the refusals (no view_config, disabled, private, missing files).

describe.each(BACKENDS)('artifact view sites on %s', (backendName) => {
  let backend: ArtifactBackend;
  let t: TestServer;
  const clients = new ArtifactClients(() => t.url);
  let am: Proxy;
  let ws: string;
  let token: string;

  beforeAll(async () => {
    backend = await artifactBackend(backendName);
    t = await startTestServer(backend.options);
    await t.server.artifacts?.ready;
    token = mintToken(t.authConfig, userWith('site-owner', { 'ws-user-site-owner': 'a' }));
    const c = await clients.connect(token);
    am = c.am;
    ws = c.server.config.workspace;
    const site = await am.create(kw({
      alias: 'my-site', manifest: { name: 'Test Static Site', description: 'A test static website', tags: ['x', 'y'] }, stage: true,
      config: {
        permissions: { '*': 'r' },
        view_config: {
          templates: ['index.html', 'about.html'], template_engine: 'jinja2', use_builtin_template: false,
          headers: { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'max-age=3600' }, metadata: { motto: 'hello' },
        },
      },
    }));
    const files: Record<string, string> = {
      'static.html': '<h1>Welcome to Test Site</h1>',
      'index.html': [
        '<title>{{ artifact.manifest.name }}</title><p>{{ artifact.manifest.description }}</p>',
        '<p>Base: {{ local_base_url }}</p><p>WS: {{ workspace }}</p><p>User: {{ user.id if not user.is_anonymous else "Anonymous" }}</p>',
        '<p>Views: {{ artifact.view_count }}</p><ul>{% for t in artifact.manifest.tags %}<li>{{ t }}</li>{% endfor %}</ul>{{ metadata.motto }}',
      ].join(''),
      'about.html': '{{ broken(',
      'style.css': 'body { font-family: Arial, sans-serif; }',
      'data.json': '{"message": "Hello from JSON"}',
    };
    for (const [path, content] of Object.entries(files)) await am.write_file(kw({ artifact_id: site.id, file_path: path, content }));
    await am.commit(site.id);
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await t?.close();
    await backend?.cleanup();
  });

  const view = (path: string, auth = true) => fetch(`${t.url}/${ws}/view/${path}`, auth ? { headers: { Authorization: `Bearer ${token}` } } : {});

  it('serves plain files with their content types and the configured headers', async () => {
    for (const [path, type, text] of [
      ['my-site/static.html', 'text/html', 'Welcome to Test Site'],
      ['my-site/style.css', 'text/css', 'font-family: Arial'],
      ['my-site/data.json', 'application/json', 'Hello from JSON'],
    ] as const) {
      const res = await view(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('cache-control')).toBe('max-age=3600');
      expect(await res.text()).toContain(text);
    }
    expect((await view('my-site/nonexistent.html')).status).toBe(404);
  });

  it('renders templates from the artifact, the server and the caller, counting views', async () => {
    const before = (await am.read(kw({ artifact_id: 'my-site', silent: true }))).view_count;
    for (const path of ['my-site/index.html', 'my-site/', 'my-site']) {
      const res = await view(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toContain('<title>Test Static Site</title><p>A test static website</p>');
      expect(html).toContain(`<p>Base: ${t.url}</p><p>WS: ${ws}</p><p>User: site-owner</p>`);
      expect(html).toContain('<ul><li>x</li><li>y</li></ul>hello');
    }
    expect((await am.read(kw({ artifact_id: 'my-site', silent: true }))).view_count).toBe(before + 3);
    const anonymous = await (await view('my-site/index.html', false)).text();
    expect(anonymous).toContain('<p>User: Anonymous</p>');
    const broken = await view('my-site/about.html');
    expect(broken.status).toBe(500);
    expect((await broken.json()).detail).toMatch(/^Template rendering failed: /);
  });

  it('serves staged files with stage=true and a root directory', async () => {
    const staged = await am.create(kw({
      alias: 'staged-site', manifest: { name: 'Staged Site' }, stage: true,
      config: { view_config: { root_directory: '/dist', templates: ['index.html'] } },
    }));
    await am.write_file(kw({ artifact_id: staged.id, file_path: 'dist/index.html', content: '<h1>{{ artifact.manifest.name }}</h1>' }));
    const res = await view('staged-site/index.html?stage=true');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1>Staged Site</h1>');
    expect((await view('staged-site/index.html?stage=true&version=v0')).status).toBe(400);
  });

  it('refuses artifacts that are not sites, disabled views and callers who may not read', async () => {
    await am.create(kw({ alias: 'regular', type: 'generic', manifest: { name: 'Regular' } }));
    const regular = await view('regular/index.html');
    expect(regular.status).toBe(400);
    expect((await regular.text()).toLowerCase()).toContain('does not support view mode');
    await am.create(kw({ alias: 'off', manifest: { name: 'Off' }, config: { view_config: 'disabled' } }));
    expect((await view('off/')).status).toBe(404);
    await am.create(kw({ alias: 'private-site', manifest: { name: 'P' }, config: { view_config: { templates: [] } } }));
    expect((await view('private-site/', false)).status).toBe(403);
    expect((await view('no-such-site/')).status).toBe(404);
  });
});
