import type { AnyFunction } from '../utils/any-function.js';
/**
 * `_rdoc` of a plain function, following hypha-rpc: only `function name(params)` forms with at
 * least one parameter get a doc, taken from a leading block or line comment of the body
 * (`""` when there is none); everything else gets `null`.
 */
export function functionDoc(fn: AnyFunction): string | null {
  const src = Function.prototype.toString.call(fn);
  const name = /function\s*(\w*)/.exec(src)?.[1] ?? '';
  const params = (/\(([^)]*)\)/.exec(src)?.[1] ?? '')
    .split(',')
    .map((p) => p.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/g, '').trim())
    .filter((p) => p.length > 0);
  if (!name || params.length === 0) return null;
  const block = /\)\s*\{\s*\/\*([\s\S]*?)\*\//.exec(src)?.[1]?.trim();
  if (block) return block;
  const line = /\)\s*\{\s*(\/\/[\s\S]*?)\n\s*[^\s/]/.exec(src)?.[1];
  if (line) {
    return line
      .split('\n')
      .map((s) => s.replace(/^\/\/\s*/, '').trim())
      .join('\n');
  }
  return '';
}
