/**
 * Redis glob patterns (`*`, `?`, `[...]` with `^`/`!` negation and ranges, `\` escapes), as used by
 * `SCAN MATCH` and `PSUBSCRIBE`. The memory store uses `globToRegExp`; the Redis bus uses
 * `escapeGlob` to turn ids into literal pattern fragments.
 */
const GLOB_SPECIAL = /[*?[\]\\]/g;

/** Escape every glob metacharacter so `value` matches only itself inside a pattern. */
export function escapeGlob(value: string): string {
  return value.replace(GLOB_SPECIAL, (c) => `\\${c}`);
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/-]/g;

function escapeRegExp(value: string): string {
  return value.replace(REGEXP_SPECIAL, (c) => `\\${c}`);
}

/** Compile a Redis glob pattern to an anchored RegExp (dot matches newlines, like Redis). */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      out += '[\\s\\S]*';
    } else if (c === '?') {
      out += '[\\s\\S]';
    } else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      out += escapeRegExp(pattern[i]!);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      i = end;
      let negate = false;
      if (body.startsWith('^') || body.startsWith('!')) {
        negate = true;
        body = body.slice(1);
      }
      let cls = '';
      for (let j = 0; j < body.length; j++) {
        const b = body[j]!;
        if (b === '\\' && j + 1 < body.length) {
          j++;
          cls += escapeRegExp(body[j]!);
        } else if (b === '-' && j > 0 && j + 1 < body.length) {
          cls += '-';
        } else {
          cls += escapeRegExp(b);
        }
      }
      out += negate ? `[^${cls}]` : `[${cls}]`;
    } else {
      out += escapeRegExp(c);
    }
  }
  return new RegExp(`^${out}$`);
}
