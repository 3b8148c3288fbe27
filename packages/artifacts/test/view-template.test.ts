import { describe, expect, it } from 'vitest';
import { renderViewTemplate, TemplateError } from '../src/view-template.js';

const ctx = {
  artifact: { manifest: { name: 'Site', description: 'A <b>site</b>', tags: ['a', 'b'] }, view_count: 3, versions: [{ version: 'v0' }] },
  user: { id: 'alice', email: null },
  workspace: 'ws-user-alice',
  local_base_url: 'http://127.0.0.1:9527',
};

describe('view site templates (a safe Jinja2 subset)', () => {
  it('renders lookups, inline conditions, filters and operators as Jinja2 does', () => {
    expect(renderViewTemplate('<h1>{{ artifact.manifest.name }}</h1>{{ artifact.view_count }}', ctx)).toBe('<h1>Site</h1>3');
    expect(renderViewTemplate("{{ user.id if user else 'Anonymous' }}|{{ nobody.id if nobody else 'Anonymous' }}", ctx)).toBe('alice|Anonymous');
    expect(renderViewTemplate('{{ artifact.manifest.description }} {{ artifact.manifest.description | e }}', ctx)).toBe('A <b>site</b> A &lt;b&gt;site&lt;/b&gt;');
    expect(renderViewTemplate("{{ artifact.manifest.tags | join(', ') | upper }} {{ artifact.manifest.tags | length }}", ctx)).toBe('A, B 2');
    expect(renderViewTemplate("{{ missing | default('none') }} {{ artifact['manifest']['name'] ~ '!' }} {{ artifact.versions[-1].version }}", ctx)).toBe('none Site! v0');
    expect(renderViewTemplate("{{ 'a' in artifact.manifest.tags and not ('z' in artifact.manifest.tags) }} {{ 2 + 3 * 2 }}", ctx)).toBe('True 8');
    expect(renderViewTemplate('{{ artifact.manifest | tojson }}', { artifact: { manifest: { x: 1 } } })).toBe('{"x":1}');
    expect(renderViewTemplate('{# note #}{{ undefined_thing }}', ctx)).toBe('');
  });

  it('renders if/elif/else and for loops with loop variables and an else branch', () => {
    const t = '{% for t in artifact.manifest.tags %}{{ loop.index }}:{{ t }}{% if not loop.last %},{% endif %}{% else %}none{% endfor %}';
    expect(renderViewTemplate(t, ctx)).toBe('1:a,2:b');
    expect(renderViewTemplate(t, { artifact: { manifest: { tags: [] } } })).toBe('none');
    const branches = "{% if n > 2 %}big{% elif n == 2 %}two{% else %}small{% endif %}";
    expect([1, 2, 3].map((n) => renderViewTemplate(branches, { n }))).toEqual(['small', 'two', 'big']);
    expect(renderViewTemplate('{% for k, v in m %}{{ k }}={{ v }};{% endfor %}', { m: { a: 1, b: 2 } })).toBe('a=1;b=2;');
  });

  it('reaches no code: no calls, no prototype members, and names what is wrong', () => {
    expect(() => renderViewTemplate('{{ user.id.constructor("return process")() }}', ctx)).toThrow(TemplateError);
    expect(() => renderViewTemplate('{{ range(3) }}', ctx)).toThrow(/calls are not supported/);
    expect(renderViewTemplate('{{ user.constructor }}{{ user.__proto__ }}{{ artifact.manifest.tags.map }}{{ workspace.length }}', ctx)).toBe('');
    expect(() => renderViewTemplate('{{ x | shell }}', ctx)).toThrow(/unknown filter "shell"/);
    expect(() => renderViewTemplate('{% if x %}open', ctx)).toThrow(/unclosed \{% if %\}/);
    expect(() => renderViewTemplate('{% include "other.html" %}', ctx)).toThrow(/unsupported or misplaced tag \{% include "other.html" %\}/);
    expect(() => renderViewTemplate('{{ a ! b }}', ctx)).toThrow(/unexpected "! b"/);
    expect(() => renderViewTemplate('ok {{ broken(', ctx)).toThrow(/unclosed \{\{ at "\{\{ broken\("/);
  });
});
