import type { AnyFunction } from './any-function.js';
/**
 * Parameter names of a function, parsed from its source (how a JS callee maps a kwargs map onto
 * positional parameters, spec §4.7). Destructured parameters yield `undefined` for their slot.
 */
export function getParamNames(fn: AnyFunction): Array<string | undefined> {
  const src = Function.prototype.toString.call(fn);
  const match =
    /^(?:async\s*)?(?:function\s*\*?\s*[\w$]*)?\s*\(/.exec(src) ?? /^(?:async\s*)?\*?\s*[\w$]+\s*\(/.exec(src);
  let params: string;
  if (match) {
    params = balancedParens(src, match[0].length - 1);
  } else {
    const arrow = /^(?:async\s+)?([\w$]+)\s*=>/.exec(src);
    if (!arrow) return [];
    params = arrow[1]!;
  }
  return splitTopLevel(params)
    .map((p) => p.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      const name = /^(?:\.\.\.)?([\w$]+)/.exec(p);
      return name ? name[1] : undefined;
    });
}

function balancedParens(src: string, open: number): string {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return src.slice(open + 1, i);
  }
  return '';
}

function splitTopLevel(params: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < params.length; i++) {
    const c = params[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(params.slice(start, i));
      start = i + 1;
    }
  }
  out.push(params.slice(start));
  return out;
}
