/**
 * The browser worker: one Chromium context per session (playwright-core driving a system
 * Chromium, `/usr/bin/chromium` by default). The page is the app's `index.html` served by the
 * artifact route with the session's credentials in the query; console output and page errors
 * are the session's logs.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pageLogs } from '@hypha/apps';
import type { AppWorker, CompileFile, LogItem, LogPage, WorkerStartConfig } from '@hypha/apps';
import { NotFoundError, Type, UnavailableError, defineMethod } from '@hypha/service';
import type { CallContext, MethodMap } from '@hypha/service';
import { BROWSER_TYPES, WEB_PYTHON_REFUSAL, compileBrowserApp } from './browser-compile.js';

export interface BrowserWorkerOptions {
  /** Chromium executable. @default env PLAYWRIGHT_CHROMIUM_PATH, CHROMIUM_PATH, else /usr/bin/chromium */
  chromiumPath?: string;
  /** Most concurrent sessions. @default env HYPHA_MAX_BROWSER_SESSIONS, else 20 */
  maxSessions?: number;
  /** Service id. @default 'browser-worker' */
  id?: string;
  /** Milliseconds to wait for the page load. @default 30000 */
  loadTimeoutMs?: number;
}

interface Session {
  context: BrowserContext;
  page: Page;
  logs: LogItem[];
}

const MAX_LOG_ITEMS = 2048;

export function defaultChromiumPath(env: Record<string, string | undefined> = process.env): string {
  return env.PLAYWRIGHT_CHROMIUM_PATH ?? env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export class BrowserWorker implements AppWorker {
  readonly id: string;
  readonly name = 'Browser Worker';
  readonly description = 'A worker that runs window, iframe, web-worker, hypha and web-app apps in Chromium';
  readonly supportedTypes = BROWSER_TYPES;
  readonly useLocalUrl = true;
  readonly chromiumPath: string;
  private readonly maxSessions: number;
  private readonly loadTimeoutMs: number;
  private browser: Promise<Browser> | null = null;
  private readonly sessions = new Map<string, Session>();

  constructor(o: BrowserWorkerOptions = {}) {
    this.id = o.id ?? 'browser-worker';
    this.chromiumPath = o.chromiumPath ?? defaultChromiumPath();
    this.maxSessions = o.maxSessions ?? Number(process.env.HYPHA_MAX_BROWSER_SESSIONS ?? 20);
    this.loadTimeoutMs = o.loadTimeoutMs ?? 30_000;
  }

  /** Whether the configured Chromium exists. */
  available(): boolean {
    return existsSync(this.chromiumPath);
  }

  private launch(): Promise<Browser> {
    if (!this.available()) {
      throw new UnavailableError(`Chromium not found at ${this.chromiumPath}: install it (apt-get install chromium) or set PLAYWRIGHT_CHROMIUM_PATH`);
    }
    if (!this.browser) {
      // Loaded on first use: a server without browser apps never loads playwright-core.
      const launching = import('playwright-core').then(({ chromium }) => chromium.launch({
        executablePath: this.chromiumPath,
        args: [
          '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
          // App pages are fulfilled by the worker (no address), so Chromium would treat their
          // WebSocket to the server on a local address as a local-network request and block it.
          '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults',
        ],
      }));
      // A failed launch is retried by the next start.
      launching.catch(() => {
        if (this.browser === launching) this.browser = null;
      });
      this.browser = launching;
    }
    return this.browser;
  }

  async compile(manifest: Record<string, unknown>, files: CompileFile[]): Promise<[Record<string, unknown>, CompileFile[]]> {
    return compileBrowserApp(manifest, files);
  }

  async start(config: WorkerStartConfig): Promise<string> {
    const sid = config.id;
    if (this.sessions.has(sid)) throw new UnavailableError(`Session ${sid} already exists`);
    if (this.sessions.size >= this.maxSessions) throw new UnavailableError(`Too many browser sessions (${this.maxSessions}); stop one or raise HYPHA_MAX_BROWSER_SESSIONS`);
    const type = String(config.manifest.type ?? 'window');
    if (type === 'web-python') throw new UnavailableError(WEB_PYTHON_REFUSAL);
    const browser = await this.launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: false });
    const page = await context.newPage();
    const logs: LogItem[] = [];
    const push = (type: string, content: string) => {
      logs.push({ type, content });
      if (logs.length > MAX_LOG_ITEMS) logs.shift();
    };
    page.on('console', (m) => push('console', `[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => push('error', e.message));
    this.sessions.set(sid, { context, page, logs });
    const params = new URLSearchParams({
      server_url: config.server_url,
      client_id: config.client_id,
      workspace: config.workspace,
      app_id: config.app_id,
      token: config.token,
    });
    const url = type === 'web-app'
      ? `${String(config.manifest.entry_point)}${String(config.manifest.entry_point).includes('?') ? '&' : '?'}${params}`
      : `${config.app_files_base_url}/${String(config.manifest.entry_point ?? 'index.html')}?${params}&use_proxy=true${config.stage ? '&stage=true' : ''}`;
    if (type !== 'web-app') {
      // The artifact route serves files as downloads; the app page must render as HTML.
      const pagePath = new URL(url).pathname;
      await page.route((u) => u.pathname === pagePath, async (route) => {
        try {
          const response = await route.fetch();
          const headers: Record<string, string> = { ...response.headers(), 'content-type': 'text/html; charset=utf-8' };
          delete headers['content-disposition'];
          await route.fulfill({ response, headers });
        } catch (err) {
          // The session was stopped while its page loaded (the context is closed): record it.
          push('error', `Loading the app page failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        }
      });
    }
    try {
      const res = await page.goto(url, { timeout: Math.min(this.loadTimeoutMs, config.timeout * 1000), waitUntil: 'domcontentloaded' });
      if (res && res.status() !== 200) throw new UnavailableError(`The app page answered HTTP ${res.status()}: ${(await res.text()).slice(0, 300)}`);
    } catch (err) {
      push('error', `Failed to load the app page: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    return sid;
  }

  async stop(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    this.sessions.delete(sessionId);
    await s.context.close();
  }

  private session(sessionId: string): Session {
    const s = this.sessions.get(sessionId);
    if (!s) throw new NotFoundError(`Browser session ${sessionId} not found`);
    return s;
  }

  async getLogs(sessionId: string, type?: string | null, offset = 0, limit: number | null = null): Promise<LogPage> {
    return pageLogs(this.session(sessionId).logs, type, offset, limit);
  }

  async execute(sessionId: string, script: string): Promise<unknown> {
    return this.session(sessionId).page.evaluate(script);
  }

  async takeScreenshot(sessionId: string, format: 'png' | 'jpeg' = 'png'): Promise<Uint8Array> {
    return new Uint8Array(await this.session(sessionId).page.screenshot({ type: format }));
  }

  extraMethods(own: (sessionId: unknown, ctx: CallContext) => string): MethodMap {
    return {
      take_screenshot: defineMethod({
        description: 'A screenshot of the session page (PNG or JPEG bytes).',
        params: {
          session_id: Type.String({ description: 'The session id.' }),
          format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('jpeg')], { default: 'png', description: 'png or jpeg.' })),
        },
        permission: 'none',
        handler: ({ session_id, format }, ctx) => this.takeScreenshot(own(session_id, ctx), format ?? 'png'),
      }),
    };
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
    const b = this.browser;
    this.browser = null;
    if (b) await (await b.catch(() => null))?.close();
  }

}
