#!/usr/bin/env node
/**
 * Checks every published package (each packages/*\/package.json and packages/workers/*\/package.json
 * that is not private) the way a user receives it: packs it with pnpm (which applies
 * `publishConfig`), then runs publint (strict) and @arethetypeswrong/cli (every TypeScript
 * resolution mode) on the tarball, and checks the shape every package shares (README.md ·
 * LICENSE · repository · keywords · engines like the root's · published exports without the
 * dev-only `@hypha/source` condition but otherwise the same as the workspace's). Needs `pnpm build` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootEngines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node;

function packageDirs() {
  const dirs = [];
  for (const parent of ['packages', 'packages/workers']) {
    const abs = join(root, parent);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).sort()) {
      if (existsSync(join(abs, name, 'package.json'))) dirs.push(join(abs, name));
    }
  }
  return dirs;
}

/** `exports` with every `source` condition removed. */
function withoutSource(value) {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '@hypha/source').map(([k, v]) => [k, withoutSource(v)]));
}

function shapeProblems(dir, pkg) {
  const problems = [];
  for (const file of ['README.md', 'LICENSE']) if (!existsSync(join(dir, file))) problems.push(`no ${file}`);
  if (!pkg.repository?.url || !pkg.repository?.directory) problems.push('no repository { url, directory }');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problems.push('no keywords');
  if (pkg.engines?.node !== rootEngines) problems.push(`engines.node is ${JSON.stringify(pkg.engines?.node)}, the root's is ${JSON.stringify(rootEngines)}`);
  const published = pkg.publishConfig?.exports;
  if (!published) problems.push('no publishConfig.exports (the exports without the dev-only `@hypha/source` condition)');
  else if (JSON.stringify(published) !== JSON.stringify(withoutSource(pkg.exports))) {
    problems.push('publishConfig.exports differs from exports without `source`');
  }
  if (JSON.stringify(published ?? {}).includes('./src/')) problems.push('published exports point into src/');
  return problems;
}

function run(cmd, args, cwd) {
  try {
    return { ok: true, out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);
const tmp = mkdtempSync(join(tmpdir(), 'hypha-pack-'));
let failed = 0;
let checked = 0;
try {
  for (const dir of packageDirs()) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    if (only.length > 0 && !only.includes(pkg.name)) continue;
    checked++;
    const problems = shapeProblems(dir, pkg);
    const out = join(tmp, pkg.name.replace('/', '+'));
    const pack = run('pnpm', ['pack', '--pack-destination', out], dir);
    if (!pack.ok) problems.push(`pnpm pack failed:\n${pack.out}`);
    else {
      const tarball = join(out, readdirSync(out).find((f) => f.endsWith('.tgz')));
      const lint = run(bin('publint'), ['run', tarball, '--strict'], root);
      if (!lint.ok || /\b(warning|error|suggestion)s?\b/i.test(lint.out.replace(/All good!/, ''))) problems.push(`publint:\n${lint.out}`);
      const types = run(bin('attw'), [tarball, '--format', 'table-flipped', '--no-emoji', '--no-color'], root);
      if (!types.ok) problems.push(`attw:\n${types.out}`);
    }
    if (problems.length > 0) {
      failed++;
      console.error(`✗ ${pkg.name}\n  ${problems.join('\n  ')}`);
    } else {
      console.log(`✓ ${pkg.name}`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (checked === 0) {
  console.error('no published package found');
  process.exit(1);
}
if (failed > 0) process.exit(1);
