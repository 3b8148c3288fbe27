/**
 * Install-time compile for browser apps: a plugin (`<config>`, `<script>`, `<window>`) or plain
 * JavaScript becomes an `index.html` that loads hypha-rpc from the server's own
 * `/assets/hypha-rpc-websocket.mjs`, connects with the session's query parameters and runs the
 * script with `api` in scope. Raw HTML is kept as it is; `web-app` apps need only a URL.
 */
import { isPluginSource, isRawHtml, parsePlugin } from '@hypha/apps';
import type { CompileFile } from '@hypha/apps';
import { InvalidArgumentError } from '@hypha/service';

export const BROWSER_TYPES = ['web-python', 'web-worker', 'window', 'iframe', 'hypha', 'web-app'] as const;

export const WEB_PYTHON_REFUSAL =
  'web-python apps need Pyodide and packages from PyPI, which this server cannot serve offline; use a python-eval app or an external worker instead';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The page of a window/iframe/web-worker/hypha app. */
export function renderAppPage(o: { name: string; script: string; window?: string; style?: string; requirements?: string[] }): string {
  const config = JSON.stringify({ name: o.name });
  const requirements = JSON.stringify(o.requirements ?? []);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(o.name)}</title>
<style>${o.style ?? ''}</style>
</head>
<body>
${o.window ?? ''}
<script type="module">
const cfg = Object.assign(${config}, Object.fromEntries(new URLSearchParams(window.location.search)));
if (!cfg.server_url) cfg.server_url = window.location.origin;
window.env = new Map([["HYPHA_SERVER_URL", cfg.server_url], ["HYPHA_WORKSPACE", cfg.workspace], ["HYPHA_CLIENT_ID", cfg.client_id], ["HYPHA_TOKEN", cfg.token], ["HYPHA_APP_ID", cfg.app_id]]);
const hyphaWebsocketClient = await import(cfg.server_url + "/assets/hypha-rpc-websocket.mjs");
for (const src of ${requirements}) {
  await new Promise((resolve, reject) => { const s = document.createElement("script"); s.src = src; s.onload = resolve; s.onerror = () => reject(new Error("failed to load " + src)); document.head.appendChild(s); });
}
const api = await hyphaWebsocketClient.connectToServer(cfg);
window.api = api;
${o.script}
</script>
</body>
</html>
`;
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content instanceof Uint8Array) return Buffer.from(content).toString('utf8');
  return JSON.stringify(content);
}

export function compileBrowserApp(manifest: Record<string, any>, files: CompileFile[]): [Record<string, any>, CompileFile[]] {
  const type = String(manifest.type ?? 'window');
  if (!(BROWSER_TYPES as readonly string[]).includes(type)) {
    throw new InvalidArgumentError(`Browser worker only supports ${BROWSER_TYPES.join(', ')}, got ${type}`);
  }
  if (type === 'web-python') throw new InvalidArgumentError(WEB_PYTHON_REFUSAL);
  if (type === 'web-app') {
    if (!manifest.entry_point || !/^https?:\/\//.test(String(manifest.entry_point))) throw new InvalidArgumentError("web-app type requires an 'entry_point' URL in the manifest");
    return [{ ...manifest }, []];
  }
  const entry = String(manifest.entry_point ?? 'index.html');
  const source = files.find((f) => f.path === entry);
  if (!source) {
    // Files given directly: the first HTML file is the page.
    const html = files.find((f) => f.path.endsWith('.html'));
    const rest = files.filter((f) => f !== html && f.path !== 'index.html');
    return [{ ...manifest, entry_point: 'index.html' }, html ? [{ ...html, path: 'index.html' }, ...rest] : rest];
  }
  const code = text(source.content);
  const others = files.filter((f) => f !== source);
  const out: Record<string, any> = { ...manifest, entry_point: 'index.html', type: type === 'hypha' ? 'window' : type };
  if (isRawHtml(code)) return [out, [...others.filter((f) => f.path !== 'index.html'), { path: 'index.html', content: code, format: 'text' }]];
  let page: string;
  if (isPluginSource(code)) {
    const p = parsePlugin(code);
    const lang = (p.script?.attrs.lang ?? 'javascript').toLowerCase();
    if (p.script && !['javascript', 'js', 'typescript', 'ts'].includes(lang)) {
      throw new InvalidArgumentError(`<script lang="${lang}"> needs Pyodide, which this server cannot serve offline`);
    }
    page = renderAppPage({ name: String(out.name ?? 'Hypha App'), script: p.script?.content ?? '', window: p.window, style: p.style, requirements: out.requirements as string[] | undefined });
  } else {
    page = renderAppPage({ name: String(out.name ?? 'Hypha App'), script: code, requirements: out.requirements as string[] | undefined });
  }
  return [out, [...others.filter((f) => f.path !== 'index.html'), { path: 'index.html', content: page, format: 'text' }]];
}
