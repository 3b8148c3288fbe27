/**
 * Reading an app's `source`: raw HTML, an ImJoy/Hypha plugin (`<config>`, `<script>`, `<window>`,
 * `<style>` tags) or plain code. Only what install and the browser worker need.
 */
import { InvalidArgumentError } from '@hypha/service';

export interface PluginTag {
  attrs: Record<string, string>;
  content: string;
}

export interface ParsedPlugin {
  config: Record<string, unknown>;
  script: PluginTag | null;
  window: string;
  style: string;
}

export function isRawHtml(source: string): boolean {
  const s = source.trim().toLowerCase();
  return s.startsWith('<!doctype html') || s.startsWith('<html');
}

/** True when the source is a plugin with a `<config>` or `<script>` tag (and not a whole HTML page). */
export function isPluginSource(source: string): boolean {
  return !isRawHtml(source) && /<(config|script)(\s[^>]*)?>/i.test(source);
}

function tags(source: string, name: string): PluginTag[] {
  const out: PluginTag[] = [];
  const re = new RegExp(`<${name}(\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'gi');
  for (const m of source.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([a-zA-Z_:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = a[3] ?? a[4] ?? '';
    out.push({ attrs, content: (m[2] ?? '').trim() });
  }
  return out;
}

/** Parses a plugin source. A `<config>` must be JSON (YAML configs are refused with a clear error). */
export function parsePlugin(source: string): ParsedPlugin {
  const [configTag] = tags(source, 'config');
  let config: Record<string, unknown> = {};
  if (configTag) {
    const lang = (configTag.attrs.lang ?? 'json').toLowerCase();
    if (lang !== 'json') throw new InvalidArgumentError(`Unsupported <config lang="${lang}">: this server reads JSON plugin configs only`);
    try {
      const parsed: unknown = JSON.parse(configTag.content || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('it is not an object');
      config = parsed as Record<string, unknown>;
    } catch (err) {
      throw new InvalidArgumentError(`Invalid JSON in the plugin's <config> tag: ${(err as Error).message}`);
    }
  }
  const [script] = tags(source, 'script');
  const windows = tags(source, 'window').map((t) => t.content);
  // Markup outside the known tags (a bare <div>...) is the window content too.
  const loose = source.replace(/<(config|script|window|style|docs|attachment|file|manifest)(\s[^>]*)?>[\s\S]*?<\/\1>/gi, '').trim();
  return {
    config,
    script: script ?? null,
    window: [...windows, loose].filter(Boolean).join('\n'),
    style: tags(source, 'style').map((t) => t.content).join('\n'),
  };
}
