/**
 * The templates of artifact view sites (`/{ws}/view/{alias}/…` with `view_config.templates`): a
 * safe subset of Jinja2 over plain JSON data. `{{ expr }}` with dotted and indexed lookups,
 * literals, `a if c else b`, `and`/`or`/`not`, comparisons, `in`, `~` and `+`, and the filters
 * default, length, upper, lower, title, trim, join, tojson, string, int, e/escape and safe;
 * `{% if %}/{% elif %}/{% else %}/{% endif %}`, `{% for x in xs %}…{% else %}…{% endfor %}` (with
 * `loop.index`, `loop.index0`, `loop.first`, `loop.last`, `loop.length`), and `{# comments #}`.
 * Templates are uploaded by artifact writers, so nothing here can reach code: lookups see only
 * own properties of plain objects and arrays, and there are no calls. Output is not escaped
 * (as Jinja2's default), except through `e`/`escape`.
 */

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Value = unknown;
type Scope = Record<string, Value>;

// ------------------------------------------------------------------ expressions

type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'name'; name: string }
  | { k: 'get'; obj: Expr; key: Expr }
  | { k: 'list'; items: Expr[] }
  | { k: 'not'; e: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'cond'; test: Expr; then: Expr; else: Expr | null }
  | { k: 'filter'; e: Expr; name: string; args: Expr[] };

const TOKEN_RE = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|[<>.[\](),|~+\-*/%]))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN_RE.lastIndex))) break;
    const at = TOKEN_RE.lastIndex;
    const m = TOKEN_RE.exec(src);
    if (!m) throw new TemplateError(`unexpected ${JSON.stringify(src.slice(at).trim().slice(0, 20))} in ${JSON.stringify(src.trim())}`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly t: string[], private readonly src: string) {}

  parse(): Expr {
    const e = this.ternary();
    if (this.i < this.t.length) throw this.fail(`unexpected ${JSON.stringify(this.t[this.i])}`);
    return e;
  }

  private fail(what: string): TemplateError {
    return new TemplateError(`${what} in ${JSON.stringify(this.src.trim())}`);
  }
  private peek(): string | undefined {
    return this.t[this.i];
  }
  private eat(tok: string): boolean {
    if (this.t[this.i] !== tok) return false;
    this.i++;
    return true;
  }
  private expect(tok: string): void {
    if (!this.eat(tok)) throw this.fail(`expected ${JSON.stringify(tok)}`);
  }

  ternary(): Expr {
    const then = this.or();
    if (!this.eat('if')) return then;
    const test = this.or();
    return { k: 'cond', test, then, else: this.eat('else') ? this.ternary() : null };
  }
  private or(): Expr {
    let a = this.and();
    while (this.eat('or')) a = { k: 'bin', op: 'or', a, b: this.and() };
    return a;
  }
  private and(): Expr {
    let a = this.not();
    while (this.eat('and')) a = { k: 'bin', op: 'and', a, b: this.not() };
    return a;
  }
  private not(): Expr {
    return this.eat('not') ? { k: 'not', e: this.not() } : this.compare();
  }
  private compare(): Expr {
    const a = this.add();
    const op = this.peek();
    if (op && ['==', '!=', '<', '>', '<=', '>='].includes(op)) {
      this.i++;
      return { k: 'bin', op, a, b: this.add() };
    }
    if (this.eat('in')) return { k: 'bin', op: 'in', a, b: this.add() };
    if (op === 'not' && this.t[this.i + 1] === 'in') {
      this.i += 2;
      return { k: 'not', e: { k: 'bin', op: 'in', a, b: this.add() } };
    }
    return a;
  }
  private add(): Expr {
    let a = this.mul();
    for (let op = this.peek(); op === '+' || op === '-' || op === '~'; op = this.peek()) {
      this.i++;
      a = { k: 'bin', op, a, b: this.mul() };
    }
    return a;
  }
  private mul(): Expr {
    let a = this.filtered();
    for (let op = this.peek(); op === '*' || op === '/' || op === '%'; op = this.peek()) {
      this.i++;
      a = { k: 'bin', op, a, b: this.filtered() };
    }
    return a;
  }
  private filtered(): Expr {
    let e = this.postfix();
    while (this.eat('|')) {
      const name = this.t[this.i++];
      if (!name || !/^[A-Za-z_]\w*$/.test(name)) throw this.fail('expected a filter name after "|"');
      const args: Expr[] = [];
      if (this.eat('(')) {
        if (!this.eat(')')) {
          do args.push(this.ternary());
          while (this.eat(','));
          this.expect(')');
        }
      }
      e = { k: 'filter', e, name, args };
    }
    return e;
  }
  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.eat('.')) {
        const name = this.t[this.i++];
        if (!name || !/^\w+$/.test(name)) throw this.fail('expected a name after "."');
        e = { k: 'get', obj: e, key: { k: 'lit', v: name } };
      } else if (this.eat('[')) {
        e = { k: 'get', obj: e, key: this.ternary() };
        this.expect(']');
      } else if (this.peek() === '(') {
        throw this.fail('calls are not supported in view templates');
      } else {
        return e;
      }
    }
  }
  private primary(): Expr {
    const tok = this.t[this.i++];
    if (tok === undefined) throw this.fail('unexpected end of expression');
    if (tok === '(') {
      const e = this.ternary();
      this.expect(')');
      return e;
    }
    if (tok === '[') {
      const items: Expr[] = [];
      if (!this.eat(']')) {
        do items.push(this.ternary());
        while (this.eat(','));
        this.expect(']');
      }
      return { k: 'list', items };
    }
    if (tok === '-') return { k: 'bin', op: '-', a: { k: 'lit', v: 0 }, b: this.postfix() };
    if (/^\d/.test(tok)) return { k: 'lit', v: Number(tok) };
    if (tok[0] === '"' || tok[0] === "'") return { k: 'lit', v: tok.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t' })[c] ?? c) };
    if (tok === 'true' || tok === 'True') return { k: 'lit', v: true };
    if (tok === 'false' || tok === 'False') return { k: 'lit', v: false };
    if (tok === 'none' || tok === 'None') return { k: 'lit', v: null };
    if (/^[A-Za-z_]/.test(tok)) return { k: 'name', name: tok };
    throw this.fail(`unexpected ${JSON.stringify(tok)}`);
  }
}

function parseExpr(src: string): Expr {
  return new Parser(tokenize(src), src).parse();
}

function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Own data only: no prototype members, no functions. */
function lookup(obj: Value, key: Value): Value {
  if (obj === null || obj === undefined) return undefined;
  if (Array.isArray(obj)) {
    if (typeof key === 'number') return obj[key < 0 ? obj.length + key : key];
    return undefined;
  }
  if (typeof obj === 'object' && (typeof key === 'string' || typeof key === 'number')) {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) return undefined;
    return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, Value>)[String(key)] : undefined;
  }
  return undefined;
}

function str(v: Value): string {
  if (v === undefined) return '';
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);

const FILTERS: Record<string, (v: Value, args: Value[]) => Value> = {
  default: (v, [d = '', boolean]) => (v === undefined || (boolean === true && !truthy(v)) ? d : v),
  d: (v, args) => FILTERS.default!(v, args),
  length: (v) => (typeof v === 'string' || Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  count: (v, args) => FILTERS.length!(v, args),
  upper: (v) => str(v).toUpperCase(),
  lower: (v) => str(v).toLowerCase(),
  title: (v) => str(v).replace(/\w\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v) => str(v).trim(),
  join: (v, [sep = '']) => (Array.isArray(v) ? v.map(str).join(str(sep)) : str(v)),
  tojson: (v) => JSON.stringify(v ?? null),
  string: (v) => str(v),
  int: (v) => {
    const n = Number.parseInt(str(v), 10);
    return Number.isNaN(n) ? 0 : n;
  },
  e: (v) => escapeHtml(str(v)),
  escape: (v) => escapeHtml(str(v)),
  safe: (v) => v,
};

function evaluate(e: Expr, scope: Scope): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'name':
      return lookup(scope, e.name);
    case 'get':
      return lookup(evaluate(e.obj, scope), evaluate(e.key, scope));
    case 'list':
      return e.items.map((x) => evaluate(x, scope));
    case 'not':
      return !truthy(evaluate(e.e, scope));
    case 'cond':
      return truthy(evaluate(e.test, scope)) ? evaluate(e.then, scope) : e.else ? evaluate(e.else, scope) : undefined;
    case 'filter': {
      const f = FILTERS[e.name];
      if (!f) throw new TemplateError(`unknown filter ${JSON.stringify(e.name)} (known: ${Object.keys(FILTERS).join(', ')})`);
      return f(evaluate(e.e, scope), e.args.map((a) => evaluate(a, scope)));
    }
    case 'bin': {
      if (e.op === 'and') {
        const a = evaluate(e.a, scope);
        return truthy(a) ? evaluate(e.b, scope) : a;
      }
      if (e.op === 'or') {
        const a = evaluate(e.a, scope);
        return truthy(a) ? a : evaluate(e.b, scope);
      }
      const a = evaluate(e.a, scope);
      const b = evaluate(e.b, scope);
      switch (e.op) {
        case '==': return JSON.stringify(a) === JSON.stringify(b);
        case '!=': return JSON.stringify(a) !== JSON.stringify(b);
        case '<': return (a as number) < (b as number);
        case '>': return (a as number) > (b as number);
        case '<=': return (a as number) <= (b as number);
        case '>=': return (a as number) >= (b as number);
        case 'in':
          if (typeof b === 'string') return b.includes(str(a));
          if (Array.isArray(b)) return b.some((x) => JSON.stringify(x) === JSON.stringify(a));
          return b !== null && typeof b === 'object' && Object.prototype.hasOwnProperty.call(b, str(a));
        case '~': return str(a) + str(b);
        case '+': return typeof a === 'number' && typeof b === 'number' ? a + b : str(a) + str(b);
        case '-': return Number(a) - Number(b);
        case '*': return Number(a) * Number(b);
        case '/': return Number(a) / Number(b);
        case '%': return Number(a) % Number(b);
      }
      throw new TemplateError(`unknown operator ${e.op}`);
    }
  }
}

// ------------------------------------------------------------------ statements

type Node =
  | { k: 'text'; text: string }
  | { k: 'out'; e: Expr }
  | { k: 'if'; branches: Array<{ test: Expr | null; body: Node[] }> }
  | { k: 'for'; names: string[]; iter: Expr; body: Node[]; empty: Node[] };

const TAG_RE = /\{\{([\s\S]*?)\}\}|\{%-?([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;

function parseTemplate(src: string): Node[] {
  const root: Node[] = [];
  // Open blocks: where new nodes go, and what closes them.
  const stack: Array<{ nodes: Node[]; node: Node | null; tag: 'if' | 'for' | null }> = [{ nodes: root, node: null, tag: null }];
  const top = () => stack[stack.length - 1]!;
  let last = 0;
  for (const m of src.matchAll(TAG_RE)) {
    if (m.index! > last) top().nodes.push({ k: 'text', text: src.slice(last, m.index) });
    last = m.index! + m[0].length;
    if (m[1] !== undefined) {
      top().nodes.push({ k: 'out', e: parseExpr(m[1]) });
      continue;
    }
    if (m[2] === undefined) continue; // comment
    const stmt = m[2].trim();
    const [word = ''] = stmt.split(/\s+/, 1);
    const rest = stmt.slice(word.length).trim();
    const frame = top();
    if (word === 'if') {
      const node: Node = { k: 'if', branches: [{ test: parseExpr(rest), body: [] }] };
      frame.nodes.push(node);
      stack.push({ nodes: node.branches[0]!.body, node, tag: 'if' });
    } else if ((word === 'elif' || word === 'else') && frame.tag === 'if' && frame.node?.k === 'if') {
      const branch = { test: word === 'elif' ? parseExpr(rest) : null, body: [] as Node[] };
      frame.node.branches.push(branch);
      frame.nodes = branch.body;
    } else if (word === 'for') {
      const fm = /^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)?)\s+in\s+([\s\S]+)$/.exec(rest);
      if (!fm) throw new TemplateError(`malformed for: ${JSON.stringify(stmt)}`);
      const node: Node = { k: 'for', names: fm[1]!.split(',').map((s) => s.trim()), iter: parseExpr(fm[2]!), body: [], empty: [] };
      frame.nodes.push(node);
      stack.push({ nodes: node.body, node, tag: 'for' });
    } else if (word === 'else' && frame.tag === 'for' && frame.node?.k === 'for') {
      frame.nodes = frame.node.empty;
    } else if ((word === 'endif' && frame.tag === 'if') || (word === 'endfor' && frame.tag === 'for')) {
      stack.pop();
    } else {
      throw new TemplateError(`unsupported or misplaced tag {% ${stmt} %}`);
    }
  }
  if (last < src.length) {
    const tail = src.slice(last);
    const open = /\{\{|\{%|\{#/.exec(tail);
    if (open) throw new TemplateError(`unclosed ${open[0]} at ${JSON.stringify(tail.slice(open.index, open.index + 30))}`);
    top().nodes.push({ k: 'text', text: tail });
  }
  if (stack.length > 1) throw new TemplateError(`unclosed {% ${top().tag} %}`);
  return root;
}

function run(nodes: Node[], scope: Scope, out: string[]): void {
  for (const n of nodes) {
    if (n.k === 'text') out.push(n.text);
    else if (n.k === 'out') out.push(str(evaluate(n.e, scope)));
    else if (n.k === 'if') {
      const branch = n.branches.find((b) => b.test === null || truthy(evaluate(b.test, scope)));
      if (branch) run(branch.body, scope, out);
    } else {
      const iter = evaluate(n.iter, scope);
      const items: Value[] = Array.isArray(iter)
        ? iter
        : iter && typeof iter === 'object'
          ? n.names.length === 2 ? Object.entries(iter) : Object.keys(iter)
          : typeof iter === 'string' ? [...iter] : [];
      if (items.length === 0) run(n.empty, scope, out);
      items.forEach((item, index) => {
        const local: Scope = Object.assign(Object.create(null) as Scope, scope);
        if (n.names.length === 2) {
          const pair = Array.isArray(item) ? item : [undefined, undefined];
          local[n.names[0]!] = pair[0];
          local[n.names[1]!] = pair[1];
        } else {
          local[n.names[0]!] = item;
        }
        local.loop = { index: index + 1, index0: index, first: index === 0, last: index === items.length - 1, length: items.length };
        run(n.body, local, out);
      });
    }
  }
}

/** Renders `source` with `context` (plain JSON data); a `TemplateError` names what was wrong. */
export function renderViewTemplate(source: string, context: Record<string, unknown>): string {
  const out: string[] = [];
  run(parseTemplate(source), Object.assign(Object.create(null) as Scope, context), out);
  return out.join('');
}
